"""The fetcher against the local news site: politeness, caps, redirects and the address guard.

No connection leaves loopback: the site is on 127.0.0.1 (allowlisted by host and port), and names go
through an injected resolver that knows only the test's names.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.scrape.fetch import Fetcher, FetchFailed, Limits, TooLarge
from pipeline.scrape.guard import Guard, Refused
from pipeline.tools.newsite import NewsSite, fake_dns

UA = "WirestreamTest/1.0"
MB = 1024 * 1024


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite(huge_bytes=30 * MB, bomb_decompressed_bytes=64 * MB, slow_seconds=3.0) as running:
        yield running


def fetch(site: NewsSite, path: str, **limits: Any) -> Any:
    async def go() -> Any:
        guard = Guard(allow=[site.host], resolve=fake_dns)
        async with Fetcher(
            guard, Limits(**{"timeout_seconds": 2.0, "max_bytes": 2 * MB, **limits})
        ) as fetcher:
            fetcher.pace(site.host, 0.0, 2)
            return await fetcher.get(site.url(path), user_agent=UA)

    return asyncio.run(go())


def test_an_article_is_fetched_and_decoded(site: NewsSite) -> None:
    path, headline = next(iter(NewsSite.ARTICLES.items()))
    response = fetch(site, path)
    assert response.status == 200
    assert headline in response.text()
    assert site.requests[-1].headers["user-agent"] == UA


def test_windows_1254_without_a_charset_is_detected(site: NewsSite) -> None:
    assert NewsSite.TURKISH_HEADLINE in fetch(site, "/news/turkish-1254.html").text()


def test_a_same_site_redirect_is_followed(site: NewsSite) -> None:
    response = fetch(site, "/news/moved.html")
    assert response.status == 200
    assert response.url.endswith("/news/budget.html")
    assert response.redirects == (site.url("/news/moved.html"),)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/to-loopback.html", "loopback"),
        ("/news/to-private.html", "10.0.0.5, a private address"),
        ("/news/to-metadata.html", "metadata"),
        ("/news/to-file.html", "file"),
    ],
)
def test_redirects_to_forbidden_targets_are_refused_without_connecting(
    site: NewsSite, path: str, reason: str
) -> None:
    before = site.trap_connections
    with pytest.raises(Refused, match=reason):
        fetch(site, path)
    assert site.trap_connections == before  # the trap listener was never reached


def test_a_redirect_loop_stops(site: NewsSite) -> None:
    with pytest.raises(FetchFailed, match="more than 3 redirects"):
        fetch(site, "/news/redirect-loop.html", max_redirects=3)


def test_a_gzip_bomb_stops_at_the_cap(site: NewsSite) -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge, match="decompress"):
        fetch(site, "/news/bomb.html")
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/news/huge.html", "/news/huge-chunked.html"])
def test_a_page_over_the_size_cap_is_refused(site: NewsSite, path: str) -> None:
    with pytest.raises(TooLarge):
        fetch(site, path)


def test_a_slow_page_times_out(site: NewsSite) -> None:
    with pytest.raises(FetchFailed, match="timed out"):
        fetch(site, "/news/slow.html", timeout_seconds=1.0)


@pytest.mark.parametrize("path", ["/news/busy.html", "/news/unavailable.html"])
def test_429_and_503_wait_for_retry_after_then_succeed(path: str) -> None:
    with NewsSite(retry_after=1) as fresh:
        started = time.monotonic()
        response = fetch(fresh, path)
        assert response.status == 200
        assert fresh.hits(path) == 2
        assert time.monotonic() - started >= 0.9  # waited for Retry-After


def test_requests_to_one_host_keep_the_minimum_interval(site: NewsSite) -> None:
    paths = list(NewsSite.ARTICLES)[:4]

    async def go() -> list[float]:
        guard = Guard(allow=[site.host], resolve=fake_dns)
        async with Fetcher(guard, Limits(timeout_seconds=5)) as fetcher:
            fetcher.pace(site.host, 0.3, 2)
            await asyncio.gather(*(fetcher.get(site.url(p), user_agent=UA) for p in paths))
        return [r.time for r in site.requests if r.path in paths][-4:]

    times = sorted(asyncio.run(go()))
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 0.25 for gap in gaps), gaps
