"""`wirestream bench faults`: the fault battery, on the real stack.

Each scenario publishes pages of one story each (numbered, so every story is distinct) at a steady
rate to topics of its own, runs workers the way an orchestrator would (a worker that exits or is
killed is started again), does harm, and then waits until every story is searchable and the
worker group has committed every partition of the pages topic to its end. It reports what went
in, what came out, and how long recovery took:

* ``crash``: the worker is SIGKILLed every few seconds (mid-batch: pages keep arriving) and
  started again at once. Recovery: from a restart until the first new story is searchable.

Figures for the README and the reliability issue's note; tests run a short version of the same
scenario (``tests/integration/test_faults.py``).
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import kafka_clients
from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services
from pipeline.index.client import es_client
from pipeline.messages import RawPage
from pipeline.split import split_page
from pipeline.tools.bench.alerts import article_pages, numbered_page
from pipeline.tools.worker_process import group_offsets, indexed_count, start_worker
from pipeline.topics import TopicNames


def distinct_page(i: int, article: RawPage, host: str) -> RawPage:
    """Page ``i``: the article with every paragraph made its own (site memory sees nothing twice)."""
    page = numbered_page(i, article, marked=False, host=host)
    paragraphs = [f"{p} (Ref. {i}-{j})" if j else p for j, p in enumerate(page.body.split("\n\n"))]
    return page.model_copy(update={"body": "\n\n".join(paragraphs)})


class PacedPublisher(threading.Thread):
    """Publishes distinct one-story pages at ``rate`` pages/s in the background: at least
    ``at_least`` of them, and on until :meth:`finish` is called."""

    def __init__(self, settings: Settings, host: str, rate: float, at_least: int) -> None:
        super().__init__(daemon=True, name="paced-publisher")
        self.settings = settings
        self.host = host
        self.rate = rate
        self.at_least = at_least
        self.pages: list[RawPage] = []
        self.error: BaseException | None = None
        self._finish = threading.Event()

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
                page = distinct_page(n, articles[n % len(articles)], self.host)
                producer.send(topic, key=page.canonical_url.encode(), value=page.to_bytes())
                self.pages.append(page)
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
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0
    exits: list[int] = field(default_factory=list)

    def start(self) -> None:
        self.starts += 1
        log_path = self.log_dir / f"worker-{self.starts}.log"
        self.proc = start_worker(self.settings, log_path, "--no-init", env={"WIRESTREAM_LOG_LEVEL": "INFO"})

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.exits.append(self.proc.wait())

    def keep_running(self) -> None:
        """Start it again if it exited on its own (as an orchestrator would)."""
        if self.proc is not None and self.proc.poll() is not None:
            self.exits.append(self.proc.returncode)
            self.start()

    def stop(self, grace: float = 30.0) -> float | None:
        """SIGTERM; the seconds it took to exit (None: it had to be killed)."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
            return round(time.monotonic() - t0, 1)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return None


def _wait_for_more(settings: Settings, than: int, sup: Supervisor, timeout: float) -> float | None:
    """Seconds until more than ``than`` stories are searchable (None: not within ``timeout``)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        sup.keep_running()
        if _index_documents(settings) > than:
            return round(time.monotonic() - t0, 1)
        time.sleep(0.25)
    return None


def _all_done(settings: Settings, ids: list[str], topic: str) -> bool:
    if indexed_count(settings, ids) < len(ids):
        return False
    return all(end == 0 or (c is not None and c >= end) for c, end in group_offsets(settings, topic).values())


def _index_documents(settings: Settings) -> int:
    es = es_client(settings)
    try:
        es.indices.refresh(index=settings.index_alias)
        return int(es.count(index=settings.index_alias)["count"])
    finally:
        es.close()


def crash(
    settings: Settings,
    say: Callable[[str], None],
    pages: int = 3000,
    rate: float = 100.0,
    kills: int = 10,
    every: tuple[float, float] = (7.0, 10.0),
    settle: float = 300.0,
    seed: int | None = None,
    static: bool = False,
) -> dict[str, Any]:
    """The worker SIGKILLed ``kills`` times, ``every`` seconds apart, while pages keep arriving."""
    rng = random.Random(seed)
    tag = "faults" + uuid.uuid4().hex[:6]
    run = scoped(settings, tag, worker_instance_id=f"{tag}-0" if static else None)
    init(run)
    topic = TopicNames.from_settings(run).pages
    sup = Supervisor(run, run.state_dir / "logs" / tag)
    publisher = PacedPublisher(run, f"{tag}.example", rate, pages)
    recoveries: list[float | None] = []
    try:
        sup.start()
        publisher.start()
        first = _wait_for_more(run, 0, sup, 180.0)
        say(f"first story searchable {first} s after the worker started; killing it {kills} times")
        for k in range(kills):
            time.sleep(rng.uniform(*every))
            sup.kill()
            before = _index_documents(run)
            sup.start()
            recovered = _wait_for_more(run, before, sup, 120.0)
            recoveries.append(recovered)
            say(f"kill {k + 1}/{kills}: {before} searchable; progress again {recovered} s after the restart")
        batch = publisher.finish()
        ids = sorted({story.id for page in batch for story in split_page(page)})
        say(f"{len(batch)} pages published; waiting for all {len(ids)} stories and every commit")
        deadline = time.monotonic() + settle
        while not _all_done(run, ids, topic) and time.monotonic() < deadline:
            sup.keep_running()
            time.sleep(1.0)
        found = indexed_count(run, ids)
        offsets = group_offsets(run, topic)
        stopped_in = sup.stop()
        documents = _index_documents(run)
    finally:
        sup.stop()
        teardown(run)
    measured = [r for r in recoveries if r is not None]
    return {
        "scenario": "crash",
        "membership": "static" if static else "dynamic",
        "pages": len(batch),
        "stories_expected": len(ids),
        "stories_found": found,
        "lost": len(ids) - found,
        "duplicates": max(0, documents - found),
        "kills": kills,
        "recovery_s": {
            "max": max(measured) if measured else None,
            "median": sorted(measured)[len(measured) // 2] if measured else None,
            "not_within_120_s": len(recoveries) - len(measured),
        },
        "partitions_behind": {p: {"committed": c, "end": e} for p, (c, e) in offsets.items() if c != e and e},
        "sigterm_exit_s": stopped_in,
        "worker_starts": sup.starts,
        "exit_codes_besides_kills": [code for code in sup.exits if code != -signal.SIGKILL],
    }


SCENARIOS = {"crash": crash}


def faults_bench(
    settings: Settings, scenarios: list[str], runs: int, say: Callable[[str], None], **options: Any
) -> list[dict[str, Any]]:
    settings = ensure_services(settings, say)
    results = []
    for name in scenarios:
        for n in range(runs):
            say(f"scenario {name}, run {n + 1}/{runs}")
            results.append(SCENARIOS[name](settings, say, **options))
            print(results[-1], file=sys.stderr)
    return results
