"""The sources file: defaults, overrides, and errors that name the site and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import UserError
from pipeline.scrape.sources import BUILTIN, load_sources

EXAMPLE = Path(__file__).parents[2] / "deploy" / "sources.example.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_is_valid() -> None:
    sites = load_sources(EXAMPLE)
    assert sites
    assert all(site.feeds or site.sitemaps or site.listings for site in sites)


def test_site_overrides_win_over_defaults_over_builtins(tmp_path: Path) -> None:
    sites = load_sources(
        write(
            tmp_path,
            """
defaults:
  min_interval_seconds: 2
  user_agent: TestBot/1.0
sites:
  - name: ilkha
    language: tr
    feeds: [https://ilkha.example/rss]
    sitemaps: [https://ilkha.example/news-sitemap.xml]
    listings:
      - url: https://ilkha.example/dunya
        pattern: '/haber/[a-z0-9-]+$'
    min_interval_seconds: 5
    publish: text
  - name: other
    feeds: [https://other.example/feed]
""",
        )
    )
    ilkha, other = sites
    assert (ilkha.min_interval_seconds, ilkha.user_agent, ilkha.publish) == (5, "TestBot/1.0", "text")
    assert (other.min_interval_seconds, other.publish) == (2, "html")
    assert other.poll_interval_seconds == BUILTIN.poll_interval_seconds
    assert ilkha.listings[0].pattern == "/haber/[a-z0-9-]+$"
    assert ilkha.language == "tr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "sites:\n  - name: a\n    feeds: [ftp://x.example/f]\n",
            "site 'a' (sites[0]): feeds: [0] 'ftp://x.example/f' is not an http(s) URL",
        ),
        ("sites:\n  - name: a\n", "site 'a' (sites[0]): give at least one of feeds, sitemaps or listings"),
        (
            "sites:\n  - name: Bad Name\n    feeds: [https://x.example/f]\n",
            "site 'Bad Name' (sites[0]): name: use lowercase",
        ),
        (
            "sites:\n  - name: a\n    feeds: [https://x.example/f]\n    max_connections: 5\n",
            "site 'a' (sites[0]): max_connections",
        ),
        (
            "sites:\n  - name: a\n    feeds: [https://x.example/f]\n    feed: [https://x.example/g]\n",
            "site 'a' (sites[0]): feed: Extra inputs",
        ),
        (
            "sites:\n  - name: a\n    listings:\n      - url: https://x.example/\n        pattern: '(['\n",
            "site 'a' (sites[0]): listings[0].pattern: not a regular expression",
        ),
        (
            "sites:\n  - name: a\n    feeds: [https://x.example/f]\n  - name: a\n    feeds: [https://y.example/f]\n",
            "used twice",
        ),
        ("sites: []\n", "sites: List should have at least 1 item"),
        (
            "defaults:\n  publish: pdf\nsites:\n  - name: a\n    feeds: [https://x.example/f]\n",
            "defaults.publish",
        ),
    ],
)
def test_mistakes_name_the_site_and_the_field(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(UserError) as caught:
        load_sources(write(tmp_path, text))
    assert expected in str(caught.value)


def test_broken_yaml_and_missing_file_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="not valid YAML"):
        load_sources(write(tmp_path, "sites: [\n"))
    with pytest.raises(UserError, match="cannot read"):
        load_sources(tmp_path / "missing.yaml")
