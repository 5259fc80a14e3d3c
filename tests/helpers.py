"""Small helpers for tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from pipeline import kafka_clients
from pipeline.messages import Alert

T = TypeVar("T")


def wait_for(condition: Callable[[], T], timeout: float, what: str, interval: float = 0.5) -> T:
    """Poll ``condition`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def read_all(settings: Any, topic: str, idle_ms: int = 3000) -> list[tuple[bytes | None, bytes | None]]:
    """Every (key, value) now in ``topic``, read from the start until it stays quiet for ``idle_ms``."""
    consumer = kafka_clients.consumer(
        settings,
        topic,
        group_id=None,
        auto_offset_reset="earliest",
        consumer_timeout_ms=idle_ms,
        max_partition_fetch_bytes=64 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    try:
        return [(message.key, message.value) for message in consumer]
    finally:
        consumer.close()


def an_alert(story: str, rule: str = "mali", query: str = "Mali") -> Alert:
    """An alert of ``rule`` for the teaser ``story`` on x.example."""
    return Alert(
        id=f"{rule}-{story}",
        rule=rule,
        query=query,
        story_id=story,
        kind="teaser",
        url=f"https://x.example/{story}",
        page_url="https://x.example/p",
        site="x",
        lang="en",
        snippet=f"«{query}»",
        first_seen_at="2026-12-01T00:00:00Z",  # type: ignore[arg-type]
    )
