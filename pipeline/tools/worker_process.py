"""A `wirestream worker` in a child process, for the demo, the benchmarks and the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kafka import TopicPartition

from pipeline import kafka_clients
from pipeline.config import Settings, as_env
from pipeline.errors import UserError
from pipeline.index.client import es_client


def start_worker(
    settings: Settings, log_path: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A `wirestream worker` child configured by ``settings``, logging (JSON) to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **as_env(settings), "WIRESTREAM_LOG_FORMAT": "json", **(env or {})}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline", "worker", *args], env=full_env, stdout=log, stderr=log
        )


@contextmanager
def running_worker(
    settings: Settings, log_path: Path, *args: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Start a worker configured by ``settings`` (its log to ``log_path``); stop it on exit."""
    proc = start_worker(settings, log_path, *args, env=env)
    try:
        yield proc
    finally:
        stop_worker(proc)


def stop_worker(proc: subprocess.Popen[bytes], grace: float = 30.0) -> float | None:
    """SIGTERM, then SIGKILL after ``grace``: the seconds it took to exit on SIGTERM (None: it had
    already exited, or had to be killed)."""
    if proc.poll() is not None:
        return None
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
        return round(time.monotonic() - t0, 1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return None


def indexed_count(settings: Settings, ids: list[str]) -> int:
    es = es_client(settings)
    try:
        es.indices.refresh(index=settings.index_alias)
        return sum(  # in slices: a query holds at most 65,536 terms
            int(es.count(index=settings.index_alias, query={"ids": {"values": ids[i : i + 10_000]}})["count"])
            for i in range(0, len(ids), 10_000)
        )
    finally:
        es.close()


def wait_until_indexed(
    settings: Settings,
    ids: list[str],
    worker: subprocess.Popen[bytes],
    timeout: float,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Block until every id is searchable; a clear error if the worker dies or time runs out."""
    deadline = time.monotonic() + timeout
    done = -1
    while (now := indexed_count(settings, ids)) < len(ids):
        if progress and now != done:
            progress(now, len(ids))
        done = now
        if worker.poll() is not None:
            raise UserError(
                f"the worker exited with code {worker.returncode} with {done} of {len(ids)} indexed"
            )
        if time.monotonic() > deadline:
            raise UserError(f"only {done} of {len(ids)} stories indexed after {timeout:.0f} s")
        time.sleep(0.5)
    if progress:
        progress(len(ids), len(ids))


def topic_ends(settings: Settings, topic: str) -> dict[int, int]:
    """The end offset of each partition of ``topic``."""
    consumer = kafka_clients.consumer(settings, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return {tp.partition: end for tp, end in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def group_offsets(settings: Settings, topic: str) -> dict[int, tuple[int | None, int]]:
    """Per partition of ``topic``: the worker group's committed offset (None: nothing yet) and the end."""
    ends = topic_ends(settings, topic)
    admin = kafka_clients.admin(settings, "wirestream-group-offsets")
    try:
        group = settings.worker_group
        partitions = [TopicPartition(topic, p) for p in ends]
        committed = admin.list_group_offsets({group: partitions}).get(group, {})
        return {p: (_offset(committed.get(TopicPartition(topic, p))), end) for p, end in ends.items()}
    finally:
        admin.close()


def _offset(committed: Any) -> int | None:
    return committed.offset if committed is not None and committed.offset >= 0 else None


def caught_up(settings: Settings, topic: str) -> bool:
    """True when the worker group (``settings.worker_group``) has committed every message of ``topic``."""
    return all(
        end == 0 or (committed is not None and committed >= end)
        for committed, end in group_offsets(settings, topic).values()
    )
