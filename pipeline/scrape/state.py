"""What the scrapers have done, kept in a compacted Kafka topic (``<prefix>.fetched.v1``).

A restarted scraper, or a second replica, reads the topic from the start to learn which pages were
already published and which validators (ETag, Last-Modified) each feed last sent; every new fact is
written back. Compaction keeps one record per key, so the topic stays as large as the set of URLs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from kafka import TopicPartition

from pipeline import kafka_clients
from pipeline.config import Settings
from pipeline.errors import PermanentError
from pipeline.messages import FetchRecord, decode
from pipeline.topics import TopicNames

log = logging.getLogger(__name__)


def page_key(url: str) -> str:
    return f"page:{url}"


def feed_key(url: str) -> str:
    return f"feed:{url}"


class FetchState:
    """Published pages and feed validators, by key (pure; loading and writing are below)."""

    def __init__(self) -> None:
        self.pages: set[str] = set()
        self.feeds: dict[str, FetchRecord] = {}

    def apply(self, record: FetchRecord) -> None:
        if record.kind == "page":
            self.pages.add(record.url)
        else:
            self.feeds[record.url] = record

    def seen(self, url: str) -> bool:
        return url in self.pages

    def feed(self, url: str) -> FetchRecord | None:
        return self.feeds.get(url)


def load_state(settings: Settings, timeout_seconds: float = 60.0) -> FetchState:
    """Read the whole topic (to its end offsets at the time of the call)."""
    topic = TopicNames.from_settings(settings).fetched
    state = FetchState()
    consumer: Any = kafka_clients.consumer(
        settings, enable_auto_commit=False, group_id=None, consumer_timeout_ms=1000
    )
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            return state  # not created yet: nothing done yet
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        end = consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout_seconds
        while any(consumer.position(tp) < end[tp] for tp in assigned):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {topic} to its end within {timeout_seconds:g} s")
            for records in consumer.poll(timeout_ms=500).values():
                for message in records:
                    if message.value is None:
                        continue  # a tombstone
                    try:
                        state.apply(decode(FetchRecord, message.value))
                    except PermanentError as exc:
                        log.warning("skipping an unreadable fetch record: %s", exc, extra={"topic": topic})
        return state
    finally:
        consumer.close()
