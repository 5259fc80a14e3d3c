"""robots.txt matching as RFC 9309 says (urllib.robotparser does not)."""

from __future__ import annotations

import pytest

from pipeline.scrape.robotstxt import parse, product_token

ROBOTS = """
# comments and blank lines are ignored
User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Disallow: /search?
Allow: /private/press/
Crawl-delay: 2

User-agent: OtherBot
Disallow: /

User-agent: wirestream
User-agent: AnotherAgent
Disallow: /drafts
Allow: /drafts/public
Crawl-delay: 5
"""


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/news/a.html", True),
        ("/private/x.html", False),
        ("/private/press/note.html", True),  # the longer allow wins
        ("/files/report.pdf", False),  # wildcard and end anchor
        ("/files/report.pdf?download=1", True),  # "$": the pattern must end the path
        ("/search?q=x", False),
        ("/searching", True),
        ("/robots.txt", True),
    ],
)
def test_the_star_group_for_an_agent_without_its_own(path: str, allowed: bool) -> None:
    rules = parse(ROBOTS, "somebot")
    assert rules.allowed(f"https://x.example{path}") is allowed
    assert rules.crawl_delay == 2


def test_our_own_group_replaces_the_star_group() -> None:
    rules = parse(ROBOTS, product_token("Wirestream/0.1 (+https://example.org)"))
    assert not rules.allowed("https://x.example/drafts/a")
    assert rules.allowed("https://x.example/drafts/public/a")
    assert rules.allowed("https://x.example/private/x.html")  # the * group does not apply to us
    assert rules.crawl_delay == 5


def test_allow_wins_a_tie_and_empty_disallow_allows() -> None:
    assert parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "bot").allowed("https://x.example/a")
    assert parse("User-agent: *\nDisallow:\n", "bot").allowed("https://x.example/anything")
    assert not parse("User-agent: *\nDisallow: /\n", "bot").allowed("https://x.example/anything")


def test_percent_encoding_is_compared_decoded() -> None:
    rules = parse("User-agent: *\nDisallow: /%7Ejoe/\n", "bot")
    assert not rules.allowed("https://x.example/~joe/page")
