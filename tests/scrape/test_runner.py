"""A scrape round's bookkeeping, with a fake fetcher (the HTTP side is tested against the local site)."""

from __future__ import annotations

import asyncio
from typing import Any

from pipeline.messages import FetchRecord, RawPage
from pipeline.scrape.fetch import FetchFailed, Response
from pipeline.scrape.guard import Refused
from pipeline.scrape.runner import SiteRound
from pipeline.scrape.sources import BUILTIN, SiteConfig
from pipeline.scrape.state import FetchState

BASE = "https://news.example"
FEED = f"{BASE}/feed.xml"


def rss(*paths: str) -> bytes:
    items = "".join(f"<item><title>T {p}</title><link>{BASE}{p}</link></item>" for p in paths)
    return f"<rss version='2.0'><channel>{items}</channel></rss>".encode()


def html(canonical: str | None = None) -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return f"<html><head>{link}</head><body><h1>Headline</h1><p>Text.</p></body></html>".encode()


class FakeFetcher:
    """url -> Response or exception; records the requests and their headers."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, dict[str, str]]] = []

    def pace(self, host: str, min_interval: float, max_connections: int) -> None:
        pass

    async def get(
        self, url: str, *, user_agent: str, headers: dict[str, str] | None = None, permit: Any = None
    ) -> Response:
        self.requests.append((url, dict(headers or {})))
        if url.endswith("/robots.txt"):
            return Response(url, 404, {}, b"")
        answer = self.answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(url: str, body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> Response:
    return Response(url, 200, {"content-type": content_type, **headers}, body)


def site() -> SiteConfig:
    return SiteConfig(
        name="news",
        language="en",
        feeds=(FEED,),
        sitemaps=(),
        listings=(),
        **{k: v for k, v in BUILTIN.model_dump().items()},
    )


def run(fetcher: FakeFetcher, state: FetchState) -> tuple[Any, list[RawPage], list[FetchRecord]]:
    pages: list[RawPage] = []
    records: list[FetchRecord] = []

    async def publish(page: RawPage, page_records: list[FetchRecord]) -> None:
        pages.append(page)
        records.extend(page_records)

    async def record(rec: FetchRecord) -> None:
        records.append(rec)

    summary = asyncio.run(SiteRound(site(), fetcher, state, publish, record).run())  # type: ignore[arg-type]
    for rec in records:
        state.apply(rec)
    return summary, pages, records


def test_a_round_publishes_new_pages_and_counts_the_rest() -> None:
    fetcher = FakeFetcher(
        {
            FEED: ok(
                FEED, rss("/a", "/b?utm_source=rss", "/c", "/d", "/e"), "application/rss+xml", etag='"v1"'
            ),
            f"{BASE}/a": ok(f"{BASE}/a", html()),
            f"{BASE}/b": ok(f"{BASE}/b", html(canonical=f"{BASE}/a")),  # the same article as /a
            f"{BASE}/c": Refused("disallowed by robots.txt"),
            f"{BASE}/d": FetchFailed("timed out after 30 s"),
            f"{BASE}/e": ok(f"{BASE}/e", b"%PDF-1.4", "application/pdf"),
        }
    )
    state = FetchState()
    summary, pages, records = run(fetcher, state)
    assert [p.canonical_url for p in pages] == [f"{BASE}/a"]
    assert pages[0].language_hint == "en" and pages[0].feed_title == "T /a"
    counts = summary.counts
    assert (counts["found"], counts["fetched"], counts["published"]) == (5, 3, 1)
    assert (counts["skipped"], counts["refused"], counts["failed"]) == (1, 1, 2)
    # a page failed: the feed's validators are not stored, so its pages come back next round
    assert not [r for r in records if r.kind == "feed"]
    assert any("timed out" in p for p in summary.problems)


def test_validators_are_stored_once_every_page_is_handled_and_sent_next_time() -> None:
    fetcher = FakeFetcher(
        {
            FEED: ok(
                FEED,
                rss("/a"),
                "application/rss+xml",
                etag='"v1"',
                **{"last-modified": "Mon, 23 Nov 2026 10:00:00 GMT"},
            ),
            f"{BASE}/a": ok(f"{BASE}/a", html()),
        }
    )
    state = FetchState()
    first, _, records = run(fetcher, state)
    assert first.counts["published"] == 1
    assert [r.etag for r in records if r.kind == "feed"] == ['"v1"']

    fetcher.answers[FEED] = Response(FEED, 304, {}, b"")
    second, pages, _ = run(fetcher, state)
    assert pages == []
    assert second.counts["found"] == 0
    feed_requests = [headers for url, headers in fetcher.requests if url == FEED]
    assert feed_requests[-1] == {
        "If-None-Match": '"v1"',
        "If-Modified-Since": "Mon, 23 Nov 2026 10:00:00 GMT",
    }


def test_pages_already_published_are_skipped_without_a_request() -> None:
    fetcher = FakeFetcher(
        {FEED: ok(FEED, rss("/a"), "application/rss+xml"), f"{BASE}/a": ok(f"{BASE}/a", html())}
    )
    state = FetchState()
    state.apply(FetchRecord(kind="page", url=f"{BASE}/a", site="news"))
    summary, pages, _ = run(fetcher, state)
    assert pages == [] and summary.counts["skipped"] == 1
    assert f"{BASE}/a" not in [url for url, _ in fetcher.requests]


def test_a_broken_feed_is_a_problem_not_a_crash() -> None:
    fetcher = FakeFetcher({FEED: ok(FEED, b"<html>not a feed</html", "text/html")})
    summary, pages, _ = run(fetcher, FetchState())
    assert pages == []
    assert summary.problems and "feed" in summary.problems[0]
