"""One scrape round per site: discover article URLs, fetch the new ones, publish them.

Discovery reads feeds and sitemaps with conditional requests (a feed's validators are stored only
once every page it listed has been handled, so a page that failed is offered again next round) and
listing pages through their link pattern. Pages already published (the fetch state) are skipped;
the rest are fetched politely, given their canonical URL (rel=canonical), published as RawPages, and
recorded. Nothing here retries forever: what failed is counted and comes back in the next round.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

from pipeline.messages import FetchRecord, RawPage
from pipeline.observability.metrics import FETCHES, PUBLISHED, ROBOTS_REFUSALS, SCRAPE_BYTES
from pipeline.scrape.discover import Entry, FeedError, parse_feed, parse_listing, parse_sitemap
from pipeline.scrape.fetch import Fetcher, FetchFailed, Response
from pipeline.scrape.guard import Refused
from pipeline.scrape.robots import Robots
from pipeline.scrape.sources import SiteConfig
from pipeline.scrape.state import FetchState
from pipeline.scrape.urls import URLError, canonical_link, canonicalize, host_key

log = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml", "")
MAX_CHILD_SITEMAPS = 50
OUTCOMES = ("found", "fetched", "published", "skipped", "refused", "failed")


@dataclass
class Summary:
    """What one round did for one site."""

    site: str
    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"site": self.site, **{k: self.counts[k] for k in OUTCOMES}, "problems": self.problems}


#: Sends a page and its fetch records to Kafka; returns when Kafka has them (raises if it cannot).
Publish = Callable[[RawPage, list[FetchRecord]], Awaitable[None]]
#: Stores a feed's validators (after its pages are handled).
Record = Callable[[FetchRecord], Awaitable[None]]
#: Turns fetched HTML into text, for sites that publish text.
Extract = Callable[[str, str], str]
#: Told (site, pages handled, pages to handle) as a round goes (a progress line on a terminal).
Progress = Callable[[str, int, int], None]


class SiteRound:
    def __init__(
        self,
        site: SiteConfig,
        fetcher: Fetcher,
        state: FetchState,
        publish: Publish,
        record: Record,
        extract: Extract | None = None,
        extra: Iterable[Entry] = (),
        progress: Progress | None = None,
    ) -> None:
        self.site = site
        self.progress = progress
        self.fetcher = fetcher
        self.state = state
        self.publish = publish
        self.record = record
        self.extract = extract
        self.extra = list(extra)
        self.robots = Robots(fetcher, site.user_agent)
        self.summary = Summary(site.name)

    async def run(self) -> Summary:
        sources: list[tuple[FetchRecord | None, list[Entry]]] = []
        for url in self.site.feeds:
            sources.append(await self._poll(url, "feed"))
        for url in self.site.sitemaps:
            sources.append(await self._poll(url, "sitemap"))
        for listing in self.site.listings:
            sources.append((None, await self._listing(listing.url, listing.pattern)))
        sources.append((None, self.extra))

        outcome: dict[str, bool] = {}  # URL -> handled for good (published or skipped)
        queue: dict[str, Entry] = {}
        for _, entries in sources:
            for entry in entries:
                queue.setdefault(entry.url, entry)
        self.summary.counts["found"] = len(queue)

        async def handle(entry: Entry) -> None:
            await self._page(entry, outcome)
            if self.progress is not None:
                self.progress(self.site.name, len(outcome), len(queue))

        await asyncio.gather(*(handle(entry) for entry in queue.values()))
        for validators, entries in sources:
            if validators is not None and all(outcome.get(e.url, False) for e in entries):
                await self.record(validators)
        return self.summary

    # --- discovery --------------------------------------------------------------------------
    async def _poll(self, url: str, kind: str) -> tuple[FetchRecord | None, list[Entry]]:
        """A feed or sitemap: (its new validators, its entries); nothing when unchanged (304)."""
        previous = self.state.feed(url)
        headers = {}
        if previous is not None and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous is not None and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        response = await self._discovery_get(url, headers)
        if response is None or response.status == 304:
            return None, []
        if response.status != 200:
            self._problem(f"{kind} {url}: HTTP {response.status}")
            return None, []
        try:
            if kind == "feed":
                entries = parse_feed(response.body, response.url)
            else:
                entries, children = parse_sitemap(response.body, response.url)
                for child in children[:MAX_CHILD_SITEMAPS]:
                    child_response = await self._discovery_get(child, {})
                    if child_response is not None and child_response.status == 200:
                        entries += parse_sitemap(child_response.body, child_response.url)[0]
        except FeedError as exc:
            self._problem(f"{kind} {url}: {exc}")
            return None, []
        validators = FetchRecord(
            kind="feed",
            url=url,
            site=self.site.name,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
        return validators, entries

    async def _listing(self, url: str, pattern: str) -> list[Entry]:
        response = await self._discovery_get(url, {})
        if response is None or response.status != 200:
            return []
        return parse_listing(response.text(), response.url, pattern)

    async def _discovery_get(self, url: str, headers: dict[str, str]) -> Response | None:
        try:
            self._pace(url)
            return await self.fetcher.get(
                url, user_agent=self.site.user_agent, headers=headers, permit=self._permit
            )
        except Refused as exc:
            self._problem(f"{url}: refused: {exc.reason}")
        except FetchFailed as exc:
            self._problem(f"{url}: {exc}")
        return None

    # --- pages ------------------------------------------------------------------------------
    async def _page(self, entry: Entry, outcome: dict[str, bool]) -> None:
        counts = self.summary.counts
        if self.state.seen(entry.url):
            counts["skipped"] += 1
            outcome[entry.url] = True
            return
        try:
            self._pace(entry.url)
            response = await self.fetcher.get(entry.url, user_agent=self.site.user_agent, permit=self._permit)
        except Refused as exc:
            counts["refused"] += 1
            if "robots.txt" in exc.reason:
                ROBOTS_REFUSALS.labels(self.site.name).inc()
            outcome[entry.url] = True  # refusing again next round changes nothing
            log.info(
                "refused %s: %s", entry.url, exc.reason, extra={"site": self.site.name, "url": entry.url}
            )
            return
        except FetchFailed as exc:
            FETCHES.labels(self.site.name, "error").inc()
            self._failed(entry, str(exc), outcome)
            return
        FETCHES.labels(self.site.name, str(response.status)).inc()
        SCRAPE_BYTES.labels(self.site.name).inc(len(response.body))
        if response.status != 200:
            self._failed(entry, f"HTTP {response.status}", outcome)
            return
        counts["fetched"] += 1
        if response.media_type not in HTML_TYPES:
            self._failed(entry, f"not an HTML page ({response.media_type})", outcome)
            return
        await self._publish(entry, response, outcome)

    async def _publish(self, entry: Entry, response: Response, outcome: dict[str, bool]) -> None:
        text = response.text()
        canonical = canonical_link(text, response.url) or canonicalize(response.url)
        urls = list(dict.fromkeys([canonical, entry.url, response.url]))
        if self.state.seen(canonical):  # the same article under another URL: remember this one too
            self.summary.counts["skipped"] += 1
            outcome[entry.url] = True
            alias = FetchRecord(kind="page", url=entry.url, site=self.site.name)
            try:
                await self.record(alias)
                self.state.apply(alias)
            except Exception as exc:  # only an optimisation: next round fetches it again
                log.warning("could not record %s: %s", entry.url, exc, extra={"site": self.site.name})
            return
        body = text
        content_type: Literal["text/html", "text/plain"] = "text/html"
        if self.site.publish == "text" and self.extract is not None:
            body, content_type = self.extract(text, canonical), "text/plain"
        from pipeline.scrape.charset import decode

        page = RawPage(
            url=response.url,
            canonical_url=canonical,
            site=self.site.name,
            content_type=content_type,
            charset=decode(response.body, response.headers.get("content-type"))[1],
            body=body,
            feed_title=entry.title,
            published_at=entry.published_at,
            language_hint=self.site.language,
        )
        records = [FetchRecord(kind="page", url=url, site=self.site.name) for url in urls]
        try:
            await self.publish(page, records)
        except Exception as exc:  # Kafka did not take it: not seen, offered again next round
            self._failed(entry, f"publish failed: {exc}", outcome)
            log.error("publishing %s failed: %s", canonical, exc, extra={"site": self.site.name})
            return
        for record in records:
            self.state.apply(record)
        self.summary.counts["published"] += 1
        PUBLISHED.labels(self.site.name).inc()
        outcome[entry.url] = True

    # --- helpers ----------------------------------------------------------------------------
    async def _permit(self, url: str) -> None:
        await self.robots.permit(url)
        self._pace(url)

    def _pace(self, url: str) -> None:
        try:
            host = host_key(url)
        except (URLError, ValueError):
            return
        delay = self.robots.crawl_delay(url) or 0.0
        self.fetcher.pace(host, max(self.site.min_interval_seconds, delay), self.site.max_connections)

    def _failed(self, entry: Entry, reason: str, outcome: dict[str, bool]) -> None:
        self.summary.counts["failed"] += 1
        outcome[entry.url] = False
        self._problem(f"{entry.url}: {reason}")

    def _problem(self, message: str) -> None:
        self.summary.problems.append(message)
        log.warning(message, extra={"site": self.site.name})


async def run_round(
    sites: list[SiteConfig],
    fetcher: Fetcher,
    state: FetchState,
    publish: Publish,
    record: Record,
    extract: Extract | None = None,
    links: dict[str, list[Entry]] | None = None,
    progress: Progress | None = None,
) -> list[Summary]:
    """Every site's round, sites in parallel (each host is still paced on its own)."""
    rounds = [
        SiteRound(site, fetcher, state, publish, record, extract, (links or {}).get(site.name, ()), progress)
        for site in sites
    ]
    summaries: list[Summary] = await asyncio.gather(*(r.run() for r in rounds))
    return summaries
