"""robots.txt matching as RFC 9309 says (urllib.robotparser does not).

``REFERENCE`` asks, in our own words, the allow/deny questions of the test suite of Google's reference
parser (google/robotstxt, robots_test.cc) that RFC 9309 decides; ``ISSUE_21`` the ones the issue
found wrong. ``GOOGLE_ONLY`` are the suite's answers we do not follow (see pipeline/scrape/README.md).
"""

from __future__ import annotations

import pytest

from pipeline.scrape.robotstxt import parse, product_token

# (robots.txt, product token, URL or path on http://foo.bar, allowed)
Case = tuple[str, str, str, bool]

_GROUPS = (
    "allow: /foo/bar/\n\nuser-agent: FooBot\ndisallow: /\nallow: /x/\nuser-agent: BarBot\n"
    "disallow: /\nallow: /y/\n\n\nallow: /w/\nuser-agent: BazBot\n\nuser-agent: FooBot\n"
    "allow: /z/\ndisallow: /\n"
)
_UPPER = "USER-AGENT: FooBot\nALLOW: /x/\nDISALLOW: /\n"
_LOWER = "user-agent: FooBot\nallow: /x/\ndisallow: /\n"
_CAMEL = "uSeR-aGeNt: FooBot\nAlLoW: /x/\ndIsAlLoW: /\n"
_AGENT_WITH_SPACE = [
    "User-Agent: FOO BAR\nAllow: /x/\nDisallow: /\n",
    "User-Agent: foo bar\nAllow: /x/\nDisallow: /\n",
    "User-Agent: FoO bAr\nAllow: /x/\nDisallow: /\n",
]
_STAR_FIRST = "user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n"
_ONLY_NAMED = (
    "user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n"
)
_FISH = "user-agent: FooBot\ndisallow: /\nallow: {}\n"
_LINES = "User-Agent: foo{0}Allow: /some/path{0}User-Agent: bar{0}{0}{0}Disallow: /{1}"


def _fish(pattern: str, allowed: list[str], denied: list[str]) -> list[Case]:
    robots = _FISH.format(pattern)
    return [(robots, "FooBot", p, True) for p in allowed] + [(robots, "FooBot", p, False) for p in denied]


def _bytes(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")  # as pipeline.scrape.robots decodes the body


REFERENCE: list[Case] = [
    # a line is "name: value"; unknown names are ignored
    ("user-agent: FooBot\ndisallow: /\n", "FooBot", "/x/y", False),
    ("foo: FooBot\nbar: /\n", "FooBot", "/x/y", True),
    # groups: user-agent lines then rules; same agent merged; rules outside groups ignored
    (_GROUPS, "FooBot", "/x/b", True),
    (_GROUPS, "FooBot", "/z/d", True),
    (_GROUPS, "FooBot", "/y/c", False),
    (_GROUPS, "BarBot", "/y/c", True),
    (_GROUPS, "BarBot", "/w/a", True),
    (_GROUPS, "BarBot", "/z/d", False),
    (_GROUPS, "BazBot", "/z/d", True),
    (_GROUPS, "FooBot", "/foo/bar/", False),
    (_GROUPS, "BarBot", "/foo/bar/", False),
    (_GROUPS, "BazBot", "/foo/bar/", False),
    # a line other than allow/disallow does not close the run of user-agent lines
    (
        "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n",
        "FooBot",
        "/",
        False,
    ),
    (
        "User-agent: BarBot\nSitemap: https://foo.bar/sitemap\nUser-agent: *\nDisallow: /\n",
        "BarBot",
        "/",
        False,
    ),
    ("User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "FooBot", "/", False),
    ("User-agent: FooBot\nInvalid-Unknown-Line: unknown\nUser-agent: *\nDisallow: /\n", "BarBot", "/", False),
    # names of lines are case-insensitive
    *[(robots, "FooBot", "/x/y", True) for robots in (_UPPER, _LOWER, _CAMEL)],
    *[(robots, "FooBot", "/a/b", False) for robots in (_UPPER, _LOWER, _CAMEL)],
    # user-agent values are case-insensitive; the product token is what comes before the space
    *[(robots, agent, "/x/y", True) for robots in _AGENT_WITH_SPACE for agent in ("Foo", "foo")],
    *[(robots, agent, "/a/b", False) for robots in _AGENT_WITH_SPACE for agent in ("Foo", "foo")],
    ("User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", "Foo", "/x/y", True),
    ("User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n", "Foo Bar", "/x/y", False),
    # the * group only when no group names us; no group at all: no rules
    ("", "FooBot", "/x/y", True),
    (_STAR_FIRST, "FooBot", "/x/y", False),
    (_STAR_FIRST, "BarBot", "/x/y", True),
    (_ONLY_NAMED, "QuxBot", "/x/y", True),
    ("user-agent: FooBot\ndisallow: /\n", "", "/", True),  # a crawler with no name: no group
    # patterns are case-sensitive
    ("user-agent: FooBot\ndisallow: /x/\n", "FooBot", "/x/y", False),
    ("user-agent: FooBot\ndisallow: /X/\n", "FooBot", "/x/y", True),
    # the longest match wins; allow on a tie; an empty pattern matches nothing
    ("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n", "FooBot", "/x/page.html", False),
    ("user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "/x/page.html", True),
    ("user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n", "FooBot", "/x/", False),
    ("user-agent: FooBot\ndisallow: \nallow: \n", "FooBot", "/x/page.html", True),
    ("user-agent: FooBot\ndisallow: /\nallow: /\n", "FooBot", "/x/page.html", True),
    ("user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x", False),
    ("user-agent: FooBot\ndisallow: /x\nallow: /x/\n", "FooBot", "/x/", True),
    ("user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n", "FooBot", "/x/page.html", True),
    ("user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "/page.html", False),
    ("user-agent: FooBot\nallow: /page\ndisallow: /*.html\n", "FooBot", "/page", True),
    ("user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "/x/page.html", True),
    ("user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n", "FooBot", "/x/y.html", False),
    ("User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot", "/x/page", True),
    ("User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n", "FooBot", "/y/page", False),
    # percent-encoding: one form for patterns and paths
    (
        "User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n",
        "FooBot",
        "/foo/bar?qux=taz&baz=http://foo.bar?tar&par",
        True,
    ),
    ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "/foo/bar/%E3%83%84", True),
    ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "/foo/bar/%E3%83%84", True),
    ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "/foo/bar/%62%61%7A", True),
    ("User-agent: FooBot\nDisallow: /á\n", "FooBot", "/%C3%A1", False),  # non-ASCII as UTF-8 octets
    ("User-agent: FooBot\nDisallow: /%aa\n", "FooBot", "/%AA", False),  # hex digits in any case
    # special characters: * any run, $ the end, # a comment
    ("User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "/foo/bar/quz", False),
    ("User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "/foo/quz", True),
    ("User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "/foo//quz", True),
    ("User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n", "FooBot", "/foo/bax/quz", True),
    ("User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "/foo/bar", False),
    ("User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "/foo/bar/qux", True),
    ("User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "/foo/bar/", True),
    ("User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n", "FooBot", "/foo/bar/baz", True),
    ("User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "/foo/bar", True),
    ("User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n", "FooBot", "/foo/quz", False),
    # the examples of Google's documentation: prefixes, wildcards, anchors
    *_fish(
        "/fish",
        [
            "/fish",
            "/fish.html",
            "/fish/salmon.html",
            "/fishheads",
            "/fishheads/yummy.html",
            "/fish.html?id=anything",
        ],
        ["/bar", "/Fish.asp", "/catfish", "/?id=fish"],
    ),
    *_fish(
        "/fish*",
        [
            "/fish",
            "/fish.html",
            "/fish/salmon.html",
            "/fishheads",
            "/fishheads/yummy.html",
            "/fish.html?id=anything",
        ],
        ["/bar", "/Fish.bar", "/catfish", "/?id=fish"],
    ),
    *_fish(
        "/fish/",
        ["/fish/", "/fish/salmon", "/fish/?salmon", "/fish/salmon.html", "/fish/?id=anything"],
        ["/bar", "/fish", "/fish.html", "/Fish/Salmon.html"],
    ),
    *_fish(
        "/*.php",
        [
            "/filename.php",
            "/folder/filename.php",
            "/folder/filename.php?parameters",
            "//folder/any.php.file.html",
            "/filename.php/",
            "/index?f=filename.php/",
        ],
        ["/bar", "/php/", "/index?php", "/windows.PHP"],
    ),
    *_fish(
        "/*.php$",
        ["/filename.php", "/folder/filename.php"],
        [
            "/bar",
            "/filename.php?parameters",
            "/filename.php/",
            "/filename.php5",
            "/php/",
            "/filename?php",
            "/aaaphpaaa",
            "//windows.PHP",
        ],
    ),
    *_fish("/fish*.php", ["/fish.php", "/fishheads/catfish.php?parameters"], ["/bar", "/Fish.PHP"]),
    ("user-agent: FooBot\nallow: /p\ndisallow: /\n", "FooBot", "/page", True),
    ("user-agent: FooBot\nallow: /folder\ndisallow: /folder\n", "FooBot", "/folder/page", True),
    ("user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n", "FooBot", "/page.htm", False),
    ("user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "/", True),
    ("user-agent: FooBot\nallow: /$\ndisallow: /\n", "FooBot", "/page.html", False),
    # CR, LF and CRLF all end a line; so does the end of the file
    *[
        (_LINES.format(eol, end), agent, "/x", agent == "foo")
        for eol, end in (("\n", "\n"), ("\r\n", "\r\n"), ("\r", "\r"), ("\n", ""))
        for agent in ("foo", "bar")
    ],
    *[
        (
            "User-Agent: foo\nAllow: /some/path\r\nUser-Agent: bar\n\r\n\nDisallow: /",
            agent,
            "/x",
            agent == "foo",
        )
        for agent in ("foo", "bar")
    ],
    # a byte-order mark (or the start of one) before the first line is skipped, not elsewhere
    (_bytes(b"\xef\xbb\xbfUser-Agent: foo\nDisallow: /AnyValue\n"), "foo", "/AnyValue", False),
    (_bytes(b"\xef\xbbUser-Agent: foo\nDisallow: /AnyValue\n"), "foo", "/AnyValue", False),
    (_bytes(b"\xefUser-Agent: foo\nDisallow: /AnyValue\n"), "foo", "/AnyValue", False),
    (_bytes(b"\xef\x11\xbfUser-Agent: foo\nDisallow: /AnyValue\n"), "foo", "/AnyValue", True),
    (_bytes(b"User-Agent: foo\n\xef\xbb\xbfDisallow: /AnyValue\n"), "foo", "/AnyValue", True),
    # the path compared: path, parameters and query, never the fragment
    ("User-agent: *\nDisallow: /$\n", "FooBot", "http://www.example.com", False),
    ("User-agent: *\nDisallow: /$\n", "FooBot", "http://www.example.com/", False),
    ("User-agent: *\nDisallow: /a$\n", "FooBot", "http://www.example.com/a", False),
    ("User-agent: *\nDisallow: /a/$\n", "FooBot", "http://www.example.com/a/", False),
    (
        "User-agent: *\nDisallow: /a/b?c=http://d.e/$\n",
        "FooBot",
        "http://www.example.com/a/b?c=http://d.e/",
        False,
    ),
    (
        "User-agent: *\nDisallow: /a/b?c=d&e=f$\n",
        "FooBot",
        "http://www.example.com/a/b?c=d&e=f#fragment",
        False,
    ),
    ("User-agent: *\nDisallow: /?a$\n", "FooBot", "http://example.com?a", False),
    ("User-agent: *\nDisallow: /a;b$\n", "FooBot", "http://example.com/a;b#c", False),
    ("User-agent: *\nDisallow: /b/c$\n", "FooBot", "//a/b/c", False),
]

ISSUE_21: list[Case] = [
    # other records (Sitemap, Crawl-delay, unknown) do not end a group (RFC 9309 2.2.4)
    (
        "User-agent: a\nSitemap: https://foo.bar/s.xml\nUser-agent: wirestream\nDisallow: /p\n",
        "a",
        "/p",
        False,
    ),
    ("User-agent: a\nCrawl-delay: 3\nUser-agent: wirestream\nDisallow: /p\n", "wirestream", "/p", False),
    ("User-agent: wirestream\nCrawl-delay: 3\nUser-agent: b\nDisallow: /p\n", "wirestream", "/p", False),
    ("User-agent: wirestream\nX-Unknown: y\nUser-agent: b\nDisallow: /p\n", "wirestream", "/p", False),
    # a byte-order mark does not hide the first line
    ("\ufeffUser-agent: *\nDisallow: /private", "wirestream", "/private", False),
    # a value with a version or words after the product token
    ("User-agent: *\nAllow: /\nUser-agent: Wirestream/0.1\nDisallow: /p\n", "wirestream", "/p", False),
    ("User-agent: *\nAllow: /\nUser-agent: WIRESTREAM news\nDisallow: /p\n", "wirestream", "/p", False),
    # ... but never a prefix or a longer name
    ("User-agent: *\nAllow: /\nUser-agent: wire\nDisallow: /p\n", "wirestream", "/p", True),
    ("User-agent: *\nAllow: /\nUser-agent: wirestreamer\nDisallow: /p\n", "wirestream", "/p", True),
    # a product token is letters, "_" and "-" (RFC 9309 2.2.1): "wirestream2" names wirestream
    ("User-agent: *\nAllow: /\nUser-agent: wirestream2\nDisallow: /p\n", "wirestream", "/p", False),
    # %2A and %24 are a literal * and $ (RFC 9309 2.2.3)
    ("User-agent: *\nDisallow: /file-with-a-%2A.html\n", "x", "/file-with-a-x.html", True),
    ("User-agent: *\nDisallow: /file-with-a-%2A.html\n", "x", "/file-with-a-*.html", False),
    ("User-agent: *\nDisallow: /file-with-a-%2A.html\n", "x", "/file-with-a-%2A.html", False),
    ("User-agent: *\nDisallow: /foo-%24\n", "x", "/foo-$", False),
    ("User-agent: *\nDisallow: /foo-%24\n", "x", "/foo-x", True),
    ("User-agent: *\nDisallow: /a$b\n", "x", "/a$b", False),  # "$" before the end is literal
    # RFC 9309 2.2.2: a raw non-ASCII path and unreserved escapes compare as their normal form
    ("User-agent: *\nDisallow: /foo/bar/%E3%83%84\n", "x", "/foo/bar/ツ", False),
    ("User-agent: *\nDisallow: /foo/bar/%62%61%7A\n", "x", "/foo/bar/baz", False),
    ("User-agent: *\nDisallow: /foo/bar/baz\n", "x", "/foo/bar/%62%61%7a", False),
    # a reserved escape is not its character
    ("User-agent: *\nDisallow: /a%2Fb\n", "x", "/a/b", True),
    ("User-agent: *\nDisallow: /a%2fb\n", "x", "/a%2Fb", False),
    ("User-agent: *\nDisallow: /a?b\n", "x", "/a%3Fb", True),
    # /robots.txt itself is always allowed
    ("User-agent: *\nDisallow: /\n", "x", "/robots.txt", True),
]

# The suite's answers that RFC 9309 does not make (the opposite is what we answer).
GOOGLE_ONLY: list[tuple[str, Case]] = [
    ("a missing colon is not guessed", ("user-agent FooBot\ndisallow /\n", "FooBot", "/x/y", False)),
    (
        "a raw non-ASCII path is encoded",
        ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n", "FooBot", "/foo/bar/ツ", False),
    ),
    (
        "a raw non-ASCII path is encoded",
        ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n", "FooBot", "/foo/bar/ツ", False),
    ),
    (
        "unreserved escapes are decoded",
        ("User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n", "FooBot", "/foo/bar/baz", False),
    ),
    (
        "index.html is not its directory",
        ("User-Agent: *\nAllow: /allowed-slash/index.html\nDisallow: /\n", "foobot", "/allowed-slash/", True),
    ),
]

_LONG = 2083 * 8  # the reference cuts lines longer than this
_LONG_A = "/x/" + "a" * (_LONG - len("/x/") - len("allow: ") + 1 - 3)
_LONG_B = "/x/" + "b" * (_LONG - len("/x/") - len("allow: ") + 1 - 3)
_LONG_D = "/x/" + "a" * (_LONG - len("/x/") - len("disallow: ") + 1 - 3)
GOOGLE_ONLY += [
    (
        "long lines are read whole",
        (f"user-agent: FooBot\ndisallow: {_LONG_D}/qux\n", "FooBot", f"{_LONG_D}/fux", False),
    ),
    (
        "long lines are read whole",
        (
            f"user-agent: FooBot\ndisallow: /\nallow: {_LONG_A}/qux\nallow: {_LONG_B}/qux\n",
            "FooBot",
            f"{_LONG_B}/fux",
            True,
        ),
    ),
]


def allowed(case: Case) -> bool:
    robots, agent, url, _ = case
    return parse(robots, agent).allowed(
        url if not url.startswith("/") or url.startswith("//") else f"http://foo.bar{url}"
    )


@pytest.mark.parametrize(
    "case", REFERENCE + ISSUE_21, ids=lambda case: repr(case[0][:40]) + " " + case[2][:40]
)
def test_rfc_9309_as_the_reference_suite_and_issue_21_ask(case: Case) -> None:
    assert allowed(case) is case[3]


@pytest.mark.parametrize(("why", "case"), GOOGLE_ONLY, ids=[why for why, _ in GOOGLE_ONLY])
def test_google_only_answers_are_not_ours(why: str, case: Case) -> None:
    assert allowed(case) is not case[3], why


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        ("Wirestream/0.1 (news monitoring; +https://example.org)", "wirestream"),
        ("Foobot-Bar", "foobot-bar"),
        ("Foo_Bar", "foo_bar"),
        ("  Foobot  ", "foobot"),
        ("Foobot Bar", "foobot"),
        ("", "*"),
    ],
)
def test_product_token(user_agent: str, token: str) -> None:
    assert product_token(user_agent) == token


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


def test_crawl_delay_between_user_agent_lines_is_the_groups() -> None:
    rules = parse("User-agent: a\nCrawl-delay: 4\nUser-agent: wirestream\nDisallow: /p\n", "wirestream")
    assert rules.crawl_delay == 4
    assert not rules.allowed("https://x.example/p")


def test_allow_wins_a_tie_and_empty_disallow_allows() -> None:
    assert parse("User-agent: *\nDisallow: /a\nAllow: /a\n", "bot").allowed("https://x.example/a")
    assert parse("User-agent: *\nDisallow:\n", "bot").allowed("https://x.example/anything")
    assert not parse("User-agent: *\nDisallow: /\n", "bot").allowed("https://x.example/anything")


def test_percent_encoding_is_compared_decoded() -> None:
    rules = parse("User-agent: *\nDisallow: /%7Ejoe/\n", "bot")
    assert not rules.allowed("https://x.example/~joe/page")


def test_a_hostile_pattern_does_not_backtrack() -> None:
    rules = parse("User-agent: *\nDisallow: /" + "*a" * 200 + "b$\n", "bot")
    assert rules.allowed("https://x.example/" + "a" * 50_000)
