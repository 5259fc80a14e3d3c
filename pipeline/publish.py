"""Publish RawPages to the pages topic with kafka-python (idempotent, acks=all, zstd).

Used by `wirestream publish` (backfill, replays, tests) and the demo; the scraper uses the same
producer settings.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.bootstrap import kafka_client_options
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.messages import RawPage
from pipeline.topics import PAGES_MAX_MESSAGE_BYTES, TopicNames

log = logging.getLogger(__name__)


def producer(settings: Settings) -> Any:
    from kafka import KafkaProducer

    return KafkaProducer(
        acks="all",
        enable_idempotence=True,
        compression_type="zstd",
        linger_ms=20,
        max_request_size=PAGES_MAX_MESSAGE_BYTES,
        retries=2**31 - 1,
        delivery_timeout_ms=120_000,
        **kafka_client_options(settings),
    )


def page_from_file(
    path: Path, site: str | None, url: str | None, content_type: str | None, language_hint: str | None = None
) -> RawPage:
    raw = path.read_bytes()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 ({exc}); convert it first (iconv -t utf-8)") from exc
    if content_type is None:
        looks_html = path.suffix.lower() in (".html", ".htm") or body.lstrip()[:1] == "<"
        content_type = "text/html" if looks_html else "text/plain"
    page_url = url or path.resolve().as_uri()
    return RawPage.model_validate(
        {
            "url": page_url,
            "canonical_url": page_url,
            "site": site or "local",
            "content_type": content_type,
            "body": body,
            "language_hint": language_hint,
        }
    )


def publish_pages(settings: Settings, pages: Iterable[RawPage]) -> int:
    """Send every page (key = canonical URL) and wait until Kafka has them all. Returns the count."""
    topic = TopicNames.from_settings(settings).pages
    prod = producer(settings)
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
    prod = producer(settings)
    try:
        futures = [prod.send(topic, key=key, value=value) for key, value in records]
        prod.flush()
        for fut in futures:
            fut.get(timeout=60)
    finally:
        prod.close()
