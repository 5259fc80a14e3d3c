"""Publish-to-searchable latency of one worker at a steady rate (part of `wirestream bench pipeline`).

Pages (copies of the given ones, each under its own URL) are published at ``rate`` per second for
``seconds``, after a warm-up page has gone through (group join and split processes not timed). A
page is searchable when the index stage's batch naming one of its stories is on the indexed topic:
the index stage sends it only once the batch is searchable. Times are the producer's hand-over and
that record's timestamp (one clock: this machine's).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from pipeline import kafka_clients
from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.messages import Alert, IndexedBatch, RawPage, Story
from pipeline.tools.worker_process import running_worker
from pipeline.topics import TopicNames


class PageTimes(threading.Thread):
    """Reads the run's topics as messages arrive: when each page's story was split (its record time
    on the stories topic), indexed (the record time of the indexed batch naming it, sent once the
    batch is searchable) and, with ``rule``, alerted (when its alert was read). ``hops=False``
    reads only the alerts."""

    def __init__(self, settings: Settings, rule: str | None = None, hops: bool = True) -> None:
        super().__init__(daemon=True, name="page-times")
        self.settings = settings
        self.rule = rule
        self.hops = hops
        self.split_at: dict[str, float] = {}  # page URL -> record time of its first story
        self.indexed_at: dict[str, float] = {}  # page URL -> record time of its first indexed batch
        self.arrived: dict[str, float] = {}  # page URL -> when its alert was read
        self._page_of: dict[str, str] = {}  # story id -> page URL
        self.stop = threading.Event()

    def run(self) -> None:
        names = TopicNames.from_settings(self.settings)
        topics = [
            *((names.stories, names.indexed) if self.hops else ()),
            *((names.alerts,) if self.rule else ()),
        ]
        consumer = kafka_clients.consumer(
            self.settings,
            *topics,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,
        )
        try:
            while not self.stop.is_set():
                for tp, records in consumer.poll(timeout_ms=100).items():
                    now = time.time()
                    for record in records:
                        self._read(tp.topic, names, record, now)
        finally:
            consumer.close()

    def _read(self, topic: str, names: TopicNames, record: Any, now: float) -> None:
        if topic == names.stories:
            story = Story.model_validate_json(record.value)
            self._page_of[story.id] = story.page_url
            self.split_at.setdefault(story.page_url, record.timestamp / 1000)
        elif topic == names.indexed:
            for story_id in IndexedBatch.model_validate_json(record.value).ids:
                if story_id in self._page_of:
                    self.indexed_at.setdefault(self._page_of[story_id], record.timestamp / 1000)
        else:
            alert = Alert.model_validate_json(record.value)
            if alert.rule == self.rule:
                self.arrived.setdefault(alert.page_url, now)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def wait_until(done: Callable[[], bool], timeout: float, worker: Any, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with code {worker.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def searchable_latency(
    settings: Settings, samples: list[RawPage], rate: float, seconds: float
) -> dict[str, Any]:
    """p50/p99/max seconds from publishing a page to its story being searchable, at ``rate`` pages/s."""
    run = scoped(settings, "benchlat" + uuid.uuid4().hex[:6])
    init(run)
    topic = TopicNames.from_settings(run).pages
    reader = PageTimes(run)
    reader.start()
    producer = kafka_clients.producer(run, linger_ms=0)
    sent: dict[str, float] = {}

    def page(n: int) -> RawPage:
        base = samples[n % len(samples)]
        url = f"{base.canonical_url.rstrip('/')}/latency-{n}"
        return base.model_copy(update={"url": url, "canonical_url": url})

    def send(p: RawPage) -> None:
        producer.send(topic, key=p.canonical_url.encode(), value=p.to_bytes())

    try:
        log_path = run.state_dir / "logs" / f"{run.topic_prefix}-worker.log"
        with running_worker(run, log_path, "--no-init", env={"WIRESTREAM_LOG_LEVEL": "WARNING"}) as worker:
            warm = page(-1)
            send(warm)
            producer.flush()
            wait_until(lambda: warm.canonical_url in reader.indexed_at, 180, worker, "the warm-up page")
            start = time.time()
            for n in range(int(rate * seconds)):
                delay = start + n / rate - time.time()
                if delay > 0:
                    time.sleep(delay)
                p = page(n)
                sent[p.canonical_url] = time.time()
                send(p)
            producer.flush()
            wait_until(lambda: all(url in reader.indexed_at for url in sent), 180, worker, "every page")
    finally:
        reader.stop.set()
        producer.close()
        teardown(run)
    delays = [reader.indexed_at[url] - at for url, at in sent.items()]
    return {
        "rate_pages_per_s": rate,
        "pages": len(sent),
        "p50_s": round(percentile(delays, 0.5), 3),
        "p99_s": round(percentile(delays, 0.99), 3),
        "max_s": round(max(delays), 3),
    }
