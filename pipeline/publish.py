"""Publish RawPages to the pages topic with kafka-python (idempotent, acks=all, zstd).

Used by `wirestream publish` (backfill, replays, tests) and the demo; the scraper uses the same
producer (``kafka_clients.producer``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from pipeline import kafka_clients
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.messages import RawPage
from pipeline.topics import TopicNames

log = logging.getLogger(__name__)


def publish_pages(settings: Settings, pages: Iterable[RawPage]) -> int:
    """Send every page (key = canonical URL) and wait until Kafka has them all. Returns the count."""
    topic = TopicNames.from_settings(settings).pages
    prod = kafka_clients.producer(settings)
    futures = []
    try:
        for page in pages:
            futures.append((page, prod.send(topic, key=page.canonical_url.encode(), value=page.to_bytes())))
        prod.flush()
        failed = []
        for page, fut in futures:
            try:
                fut.get(timeout=60)
            except Exception as exc:
                failed.append(f"{page.canonical_url}: {exc}")
        if failed:
            raise UserError(
                f"{len(failed)} of {len(futures)} pages were not published:\n" + "\n".join(failed)
            )
        return len(futures)
    finally:
        prod.close()


def publish_raw(settings: Settings, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> None:
    """Send raw records (tests, replays of dead letters) and wait for all of them."""
    prod = kafka_clients.producer(settings)
    try:
        futures = [prod.send(topic, key=key, value=value) for key, value in records]
        prod.flush()
        for fut in futures:
            fut.get(timeout=60)
    finally:
        prod.close()
