"""`wirestream scrape`: the adapters around the rounds (Kafka in and out, the loop, signals)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline import kafka_clients
from pipeline.bootstrap import ensure_topics
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.messages import FetchRecord, RawPage, TeaserLink, decode
from pipeline.observability.metrics import SILENT_POLLS
from pipeline.scrape.discover import Entry
from pipeline.scrape.fetch import Fetcher, Limits
from pipeline.scrape.guard import Guard, Resolve
from pipeline.scrape.runner import Progress, SiteRound, Summary, run_round
from pipeline.scrape.sources import SiteConfig, load_sources
from pipeline.scrape.state import FetchState, feed_key, load_state, page_key
from pipeline.scrape.urls import URLError, canonicalize, host_key
from pipeline.topics import FETCHED, LINKS, PAGES, TopicNames

log = logging.getLogger(__name__)

#: Longest wait for Kafka to confirm one page (kafka-python retries inside it).
PUBLISH_TIMEOUT_SECONDS = 180.0


class KafkaSink:
    """Pages to the pages topic (key = canonical URL), facts to the fetched topic; each call returns
    once Kafka has confirmed the records (idempotent producer, acks=all)."""

    def __init__(self, settings: Settings) -> None:
        self.topics = TopicNames.from_settings(settings)
        self.producer: Any = kafka_clients.producer(settings)

    async def publish(self, page: RawPage, records: list[FetchRecord]) -> None:
        await self._wait(
            self.producer.send(self.topics.pages, key=page.canonical_url.encode(), value=page.to_bytes())
        )
        for record in records:  # after the page: a crash in between republishes, never loses
            await self.record(record)

    async def record(self, record: FetchRecord) -> None:
        key = page_key(record.url) if record.kind == "page" else feed_key(record.url)
        await self._wait(self.producer.send(self.topics.fetched, key=key.encode(), value=record.to_bytes()))

    async def _wait(self, future: Any) -> None:
        await asyncio.to_thread(future.get, PUBLISH_TIMEOUT_SECONDS)

    def close(self) -> None:
        """Send what is still buffered, then close (shutdown loses nothing in flight)."""
        self.producer.flush(timeout=PUBLISH_TIMEOUT_SECONDS)
        self.producer.close()


def select_sites(sites: list[SiteConfig], name: str | None) -> list[SiteConfig]:
    if name is None:
        return sites
    chosen = [s for s in sites if s.name == name]
    if not chosen:
        raise UserError(f"no site named {name!r} in the sources file ({', '.join(s.name for s in sites)})")
    return chosen


def site_hosts(site: SiteConfig) -> set[str]:
    urls = [*site.feeds, *site.sitemaps, *(listing.url for listing in site.listings)]
    hosts = set()
    for url in urls:
        try:
            hosts.add(host_key(canonicalize(url)).removeprefix("www."))
        except URLError:
            continue
    return hosts


class LinkInbox:
    """Headline-only teasers the split stage found (``news.links.v1``): URLs to fetch, for the site
    that linked them and only on that site's own hosts. Offsets are committed after each round."""

    def __init__(self, settings: Settings, sites: list[SiteConfig]) -> None:
        self.hosts = {site.name: site_hosts(site) for site in sites}
        self.consumer: Any = kafka_clients.consumer(
            settings,
            TopicNames.from_settings(settings).links,
            group_id=f"{settings.worker_group}-scrape-links",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )

    def take(self, max_seconds: float = 15.0) -> dict[str, list[Entry]]:
        """What is waiting: polls until the group has its partitions and a poll comes back empty."""
        found: dict[str, list[Entry]] = {}
        deadline = time.monotonic() + max_seconds
        while time.monotonic() < deadline:
            batch = self.consumer.poll(timeout_ms=1000, max_records=5000)
            if not batch:
                if self.consumer.assignment():
                    break
                continue
            for records in batch.values():
                for message in records:
                    self._add(message.value, found)
        return found

    def _add(self, value: bytes | None, found: dict[str, list[Entry]]) -> None:
        try:
            link = decode(TeaserLink, value)
            url = canonicalize(link.url)
        except Exception as exc:  # a bad link is skipped, never fatal
            log.debug("skipping a teaser link: %s", exc)
            return
        if host_key(url).removeprefix("www.") in self.hosts.get(link.site, set()):
            found.setdefault(link.site, []).append(Entry(url, link.title, None))

    def commit(self) -> None:
        self.consumer.commit()

    def close(self) -> None:
        self.consumer.close()


def fetcher_for(settings: Settings, resolve: Resolve | None = None) -> Fetcher:
    guard = Guard(settings.scrape_allow_hosts.split(","), resolve)
    limits = Limits(
        timeout_seconds=settings.scrape_timeout_seconds,
        max_bytes=settings.max_page_bytes,
        max_redirects=settings.scrape_max_redirects,
        concurrency=settings.scrape_concurrency,
    )
    return Fetcher(guard, limits)


def extractor() -> Callable[[str, str], str]:
    from pipeline.split.extract import extract_html

    def extract(html: str, url: str) -> str:
        result = extract_html(html, url)
        return "\n\n".join(part for part in (result.title, result.text) if part)

    return extract


async def scrape(
    settings: Settings,
    sources: Path,
    *,
    once: bool,
    site: str | None = None,
    links: bool = True,
    resolve: Resolve | None = None,
    report: Callable[[Summary], None] | None = None,
    progress: Progress | None = None,
) -> list[Summary]:
    """Run one round (``once``) or poll until SIGINT/SIGTERM. Returns the summaries of the last round."""
    sites = select_sites(load_sources(sources), site)
    ensure_topics(settings, (PAGES, LINKS, FETCHED))  # its own: its ACLs let it see no others
    state: FetchState = await asyncio.to_thread(load_state, settings)
    sink = KafkaSink(settings)
    inbox = LinkInbox(settings, sites) if links else None
    extract = extractor()
    try:
        async with fetcher_for(settings, resolve) as fetcher:
            if once:
                extra = await asyncio.to_thread(inbox.take) if inbox else {}
                summaries = await run_round(
                    sites, fetcher, state, sink.publish, sink.record, extract, extra, progress
                )
                if inbox:
                    await asyncio.to_thread(inbox.commit)
                for summary in summaries:
                    if report:
                        report(summary)
                return summaries
            return await _poll_forever(sites, fetcher, state, sink, inbox, extract, report, progress)
    finally:
        sink.close()
        if inbox:
            inbox.close()


async def _poll_forever(
    sites: list[SiteConfig],
    fetcher: Fetcher,
    state: FetchState,
    sink: KafkaSink,
    inbox: LinkInbox | None,
    extract: Callable[[str, str], str],
    report: Callable[[Summary], None] | None,
    progress: Progress | None,
) -> list[Summary]:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    last: dict[str, Summary] = {}
    pending_links: dict[str, list[Entry]] = {}

    async def site_loop(site: SiteConfig) -> None:
        while not stop.is_set():
            extra = pending_links.pop(site.name, [])
            summary = await SiteRound(
                site, fetcher, state, sink.publish, sink.record, extract, extra, progress
            ).run()
            last[site.name] = summary
            if summary.counts["published"]:
                SILENT_POLLS.labels(site.name).set(0)
            else:
                SILENT_POLLS.labels(site.name).inc()
            log.info("round done", extra={"site": site.name, **summary.as_dict()})
            if report:
                report(summary)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=site.poll_interval_seconds)

    async def link_loop() -> None:
        while inbox is not None and not stop.is_set():
            for name, entries in (await asyncio.to_thread(inbox.take)).items():
                pending_links.setdefault(name, []).extend(entries)
            await asyncio.to_thread(inbox.commit)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=30)

    tasks = [asyncio.create_task(site_loop(s)) for s in sites] + [asyncio.create_task(link_loop())]
    await stop.wait()
    log.info("stopping: finishing the pages in flight")
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return list(last.values())
