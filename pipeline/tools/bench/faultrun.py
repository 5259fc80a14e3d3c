"""The fault battery's harness: a run with its own topics and index, a supervised worker (started
again whenever it is gone, as an orchestrator would) and a steady load of distinct pages; what went
in and came out once it settles. The scenarios are in ``faults.py``."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import kafka_clients
from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.index.client import es_client
from pipeline.messages import RawPage
from pipeline.split import split_page
from pipeline.tools.bench.alerts import article_pages, numbered_page
from pipeline.tools.worker_process import (
    caught_up,
    group_offsets,
    indexed_count,
    start_worker,
    stop_worker,
    topic_ends,
)
from pipeline.topics import TopicNames

Say = Callable[[str], None]


def distinct_page(i: int, article: RawPage, host: str, marked: bool = False) -> RawPage:
    """Page ``i``: the article with every paragraph made its own (site memory sees nothing twice)."""
    page = numbered_page(i, article, marked=marked, host=host)
    paragraphs = [f"{p} (Ref. {i}-{j})" if j else p for j, p in enumerate(page.body.split("\n\n"))]
    return page.model_copy(update={"body": "\n\n".join(paragraphs)})


class PacedPublisher(threading.Thread):
    """Publishes distinct one-story pages at ``rate`` pages/s in the background: at least
    ``at_least`` of them, and on until :meth:`finish`. One in ``marked_every`` names the marker."""

    def __init__(
        self, settings: Settings, host: str, rate: float, at_least: int, marked_every: int = 0
    ) -> None:
        super().__init__(daemon=True, name="paced-publisher")
        self.settings = settings
        self.host = host
        self.rate = rate
        self.at_least = at_least
        self.marked_every = marked_every
        self.pages: list[RawPage] = []
        self.extra: list[tuple[bytes | None, bytes]] = []  # raw messages to slip in between pages
        self.error: BaseException | None = None
        self._finish = threading.Event()
        self._lock = threading.Lock()

    def slip_in(self, messages: list[tuple[bytes | None, bytes]]) -> None:
        with self._lock:
            self.extra.extend(messages)

    def finish(self) -> list[RawPage]:
        """Stop once ``at_least`` pages are out; every page published."""
        self._finish.set()
        self.join()
        if self.error is not None:
            raise RuntimeError(f"publishing failed: {self.error}")
        return self.pages

    def run(self) -> None:
        topic = TopicNames.from_settings(self.settings).pages
        producer = kafka_clients.producer(self.settings)
        articles = article_pages()
        try:
            start = time.monotonic()
            n = 0
            while n < self.at_least or not self._finish.is_set():
                delay = start + n / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                marked = bool(self.marked_every) and n % self.marked_every == 0
                page = distinct_page(n, articles[n % len(articles)], self.host, marked)
                producer.send(topic, key=page.canonical_url.encode(), value=page.to_bytes())
                self.pages.append(page)
                with self._lock:
                    extra, self.extra = self.extra[:50], self.extra[50:]
                for key, value in extra:
                    producer.send(topic, key=key, value=value)
                n += 1
            producer.flush()
        except BaseException as exc:  # reported by finish()
            self.error = exc
        finally:
            producer.close()


@dataclass
class Supervisor:
    """Runs one worker the way an orchestrator does: started again whenever it is gone."""

    settings: Settings
    log_dir: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"worker-{self.starts}.log"
        env = {"WIRESTREAM_LOG_LEVEL": "INFO", **self.env}
        self.proc = start_worker(self.settings, log_path, "--no-init", env=env)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.exits.append(self.proc.wait())

    def keep_running(self) -> None:
        """Start it again if it exited on its own (as an orchestrator would)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.exits.append(self.proc.returncode)
            self.start()

    def stop(self, grace: float = 60.0) -> float | None:
        """SIGTERM; the seconds it took to exit (None: it had to be killed)."""
        return None if self.proc is None else stop_worker(self.proc, grace)


@dataclass
class Run:
    """One scenario's topics, index, worker and load."""

    settings: Settings
    sup: Supervisor
    publisher: PacedPublisher
    say: Say

    @property
    def topics(self) -> TopicNames:
        return TopicNames.from_settings(self.settings)

    def documents(self) -> int:
        es = es_client(self.settings)
        try:
            es.indices.refresh(index=self.settings.index_alias)
            return int(es.count(index=self.settings.index_alias)["count"])
        finally:
            es.close()

    def wait_for_more(self, than: int, timeout: float) -> float | None:
        """Seconds until more than ``than`` stories are searchable (None: not within ``timeout``)."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            self.sup.keep_running()
            with suppress(Exception):  # Elasticsearch may not answer yet
                if self.documents() > than:
                    return round(time.monotonic() - t0, 1)
            time.sleep(0.25)
        return None

    def settle(self, timeout: float) -> dict[str, Any]:
        """Stop publishing; wait for every story and every commit; what went in and came out."""
        batch = self.publisher.finish()
        ids = sorted({story.id for page in batch for story in split_page(page)})
        self.say(f"{len(batch)} pages published; waiting for all {len(ids)} stories and every commit")
        deadline = time.monotonic() + timeout
        t0 = time.monotonic()
        while time.monotonic() < deadline:
            self.sup.keep_running()
            if indexed_count(self.settings, ids) == len(ids) and caught_up(self.settings, self.topics.pages):
                break
            time.sleep(1.0)
        found = indexed_count(self.settings, ids)
        offsets = group_offsets(self.settings, self.topics.pages)
        return {
            "pages": len(batch),
            "stories_expected": len(ids),
            "stories_found": found,
            "lost": len(ids) - found,
            "unexpected_documents": max(0, self.documents() - found),
            "dead_letters": self.dead_letters(),
            "settled_in_s": round(time.monotonic() - t0, 1),
            "partitions_behind": {
                p: {"committed": c, "end": e} for p, (c, e) in offsets.items() if e and c != e
            },
        }

    def dead_letters(self) -> int:
        return sum(topic_ends(self.settings, self.topics.deadletter).values())


@contextmanager
def scenario(
    settings: Settings,
    name: str,
    say: Say,
    rate: float,
    pages: int,
    marked_every: int = 0,
    env: dict[str, str] | None = None,
    **overrides: Any,
) -> Iterator[Run]:
    """A run with its own topics and index (deleted after), a supervised worker and the load going."""
    tag = "faults" + uuid.uuid4().hex[:6]
    run_settings = scoped(settings, tag, **overrides)
    init(run_settings)
    sup = Supervisor(run_settings, run_settings.state_dir / "logs" / tag, env or {})
    publisher = PacedPublisher(run_settings, f"{tag}.example", rate, pages, marked_every)
    run = Run(run_settings, sup, publisher, say)
    try:
        sup.start()
        publisher.start()
        first = run.wait_for_more(0, 180.0)
        say(f"{name}: first story searchable {first} s after the worker started (logs: {sup.log_dir})")
        yield run
    finally:
        if publisher.is_alive():
            publisher._finish.set()
        sup.stop()
        teardown(run_settings)


def finish(run: Run, name: str, figures: dict[str, Any], harm_starts: int = 0) -> dict[str, Any]:
    outcome = run.settle(300.0)
    stopped_in = run.sup.stop()
    return {
        "scenario": name,
        **outcome,
        **figures,
        "sigterm_exit_s": stopped_in,
        "restarts_not_caused_by_the_harm": run.sup.starts - 1 - harm_starts,
        "exit_codes": [code for code in run.sup.exits if code != -signal.SIGKILL],
    }


def median(values: list[float]) -> float | None:
    return sorted(values)[len(values) // 2] if values else None


def watch(run: Run, seconds: float) -> None:
    """Keep the worker supervised for ``seconds`` (a worker must not die of an outage)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        run.sup.keep_running()
        time.sleep(0.5)
