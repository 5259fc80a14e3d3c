"""`wirestream scrape --once` against a local news site, with the real Kafka (and the worker).

Every connection stays on loopback: the site is allowlisted by host and port, names resolve through
a test resolver (intranet.corp.example -> 10.0.0.5), and the trap listener counts any connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.bootstrap import init
from pipeline.config import Settings
from pipeline.messages import FetchRecord, RawPage
from pipeline.scrape.runner import Summary
from pipeline.scrape.service import scrape
from pipeline.search import search
from pipeline.tools.newsite import NewsSite, fake_dns
from pipeline.topics import TopicNames
from tests.helpers import read_all, wait_for

pytestmark = pytest.mark.integration
MB = 1024 * 1024


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite(
        huge_bytes=3 * MB, bomb_decompressed_bytes=32 * MB, slow_seconds=4.0, retry_after=1
    ) as running:
        yield running


@pytest.fixture
def scraping(isolated: Settings, site: NewsSite, tmp_path: Path) -> tuple[Settings, Path]:
    settings = isolated.model_copy(
        update={"scrape_allow_hosts": site.host, "scrape_timeout_seconds": 2.0, "max_page_bytes": 2 * MB}
    )
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"""
defaults:
  min_interval_seconds: 0.02
  user_agent: WirestreamTest/1.0
sites:
  - name: newsite
    language: en
    feeds: ["{site.url("/feed.xml")}", "{site.url("/atom.xml")}"]
    sitemaps: ["{site.url("/news-sitemap.xml")}"]
    listings:
      - url: "{site.url("/listing.html")}"
        pattern: '/news/[a-z0-9-]+\\.html$'
""",
        encoding="utf-8",
    )
    return settings, sources


def once(settings: Settings, sources: Path) -> Summary:
    summaries = asyncio.run(scrape(settings, sources, once=True, links=False, resolve=fake_dns))
    assert len(summaries) == 1
    return summaries[0]


def published(settings: Settings) -> list[RawPage]:
    return [
        RawPage.model_validate_json(v)
        for _, v in read_all(settings, TopicNames.from_settings(settings).pages)
        if v
    ]


def test_once_publishes_each_page_exactly_once_and_a_second_run_nothing(
    scraping: tuple[Settings, Path], site: NewsSite
) -> None:
    settings, sources = scraping
    first = once(settings, sources)
    pages = published(settings)
    canonical = [p.canonical_url for p in pages]
    assert len(canonical) == len(set(canonical)), canonical  # nothing twice
    expected = {site.url(path) for path in NewsSite.ARTICLES} | {
        site.url("/news/busy.html"),
        site.url("/news/unavailable.html"),
        site.url("/news/turkish-1254.html"),
    }
    assert set(canonical) == expected
    assert all("utm_" not in url for url in canonical)
    # never fetched: robots.txt disallows it; never connected: loopback outside the allowlist
    assert site.hits("/private/leak.html") == 0
    assert site.trap_connections == 0
    assert first.counts["published"] == len(expected)
    assert first.counts["refused"] >= 5  # robots, loopback, private name, metadata, file://
    assert first.counts["failed"] >= 5  # bomb, huge, huge-chunked, slow, redirect loop
    turkish = next(p for p in pages if p.canonical_url.endswith("turkish-1254.html"))
    assert NewsSite.TURKISH_HEADLINE in turkish.body
    assert all(p.site == "newsite" and p.language_hint == "en" for p in pages)

    second = once(settings, sources)
    assert second.counts["published"] == 0
    assert len(published(settings)) == len(pages)  # nothing new on the topic
    assert second.counts["skipped"] >= len(expected)
    records = [
        FetchRecord.model_validate_json(v)
        for _, v in read_all(settings, TopicNames.from_settings(settings).fetched)
        if v
    ]
    assert {r.url for r in records if r.kind == "page"} >= expected


def test_the_worker_turns_scraped_pages_into_searchable_stories(
    scraping: tuple[Settings, Path], site: NewsSite, worker: Callable[..., Any]
) -> None:
    settings, sources = scraping
    init(settings, timeout=60)
    worker(settings)
    summary = once(settings, sources)
    assert summary.counts["published"] > 0
    headline = NewsSite.TURKISH_HEADLINE.split()[0]
    hits = wait_for(
        lambda: search(settings, f'"{headline}"'), timeout=120, what="a scraped story in the index"
    )
    assert hits[0]["site"] == "newsite"


def test_teaser_links_the_worker_found_are_fetched_for_their_site(
    scraping: tuple[Settings, Path], site: NewsSite
) -> None:
    from pipeline.messages import TeaserLink
    from pipeline.publish import publish_raw

    settings, _ = scraping
    only_atom = scraping[1].parent / "atom-only.yaml"
    only_atom.write_text(
        f"defaults:\n  min_interval_seconds: 0.02\nsites:\n  - name: newsite\n    feeds: ['{site.url('/atom.xml')}']\n",
        encoding="utf-8",
    )
    init(settings, timeout=60)
    links = [
        TeaserLink(url=site.url("/news/deprem.html"), title="Deprem", site="newsite", page_url=site.url("/")),
        TeaserLink(
            url="https://elsewhere.example/x",
            title="Not this site's host",
            site="newsite",
            page_url=site.url("/"),
        ),
    ]
    publish_raw(
        settings, TopicNames.from_settings(settings).links, [(lk.url.encode(), lk.to_bytes()) for lk in links]
    )
    summary = asyncio.run(scrape(settings, only_atom, once=True, links=True, resolve=fake_dns)).pop()
    assert summary.counts["published"] == 3  # the two atom entries and the linked page
    assert site.url("/news/deprem.html") in {p.canonical_url for p in published(settings)}
