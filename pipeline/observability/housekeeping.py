"""The worker's housekeeping beside its stages: language models loaded at start, the event loop's
delay measured, ``/health/`` (503 once a partition stalled, then a shutdown that exits 75), and the
alert counters in the log."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
from typing import Any

import faust

from pipeline.alerts.stats import AlertStats
from pipeline.config import Settings
from pipeline.language import engines as language_engines
from pipeline.observability.liveness import LoopLag, PartitionView, StallWatch

log = logging.getLogger("pipeline.worker")

#: Set when a partition stalled: the worker stops and exits with ``EXIT_STALLED``.
STALLED = threading.Event()


def add_housekeeping(app: faust.App, settings: Settings, stats: AlertStats) -> None:
    """Language models loaded at start, the health page, the alert counters in the log."""

    @app.task  # type: ignore[untyped-decorator]
    async def load_language_models() -> None:  # at start, not on the first page
        await asyncio.get_running_loop().run_in_executor(None, language_engines.warm_up)

    watch = StallWatch(settings.worker_stall_seconds)
    stalled: list[str] = []
    lag = LoopLag()

    @app.task  # type: ignore[untyped-decorator]
    async def measure_loop_lag() -> None:  # the loop must never block (heartbeats, health, acks)
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.1)
            now = time.monotonic()
            lag.observe(now, now - before - 0.1)

    @app.page("/health/")
    async def health(web: Any, request: Any) -> Any:  # up, agents running, no partition stalled
        status = {"group": settings.worker_group, "loop_lag_ms_max": lag.max_ms, "alerts": stats.as_dict()}
        if stalled:
            return web.json({"status": "stalled", "stalled": stalled, **status}, status=503)
        return web.json({"status": "ok", **status})

    @app.timer(5.0)  # type: ignore[untyped-decorator]
    async def watch_for_stalls() -> None:
        stalls = watch.observe(time.monotonic(), partition_views(app))
        if stalls and not stalled:
            stalled.extend(str(stall) for stall in stalls)
            for stall in stalls:
                log.error(
                    "partition stalled: %s; stopping so that a restart reads it again from its commit",
                    stall,
                    extra={"stage": "worker", "topic": stall.topic, "partition": stall.partition},
                )
            STALLED.set()
            os.kill(os.getpid(), signal.SIGTERM)  # the usual shutdown: commit what is done, then exit 75

    @app.timer(60.0)  # type: ignore[untyped-decorator]
    async def report_alert_stats() -> None:
        if stats.batches:
            log.info("alert stage", extra={"stage": "alerts", **stats.as_dict()})


def partition_views(app: faust.App) -> list[PartitionView]:
    """The consumer's view of each assigned partition it commits (faust's bookkeeping, read only)."""
    consumer: Any = app.consumer
    busy = {message.topic for message in list(consumer.unacked)}
    committed = consumer._committed_offset
    read = consumer._read_offset
    views = []
    for tp in consumer.assignment():
        if not app.topics.acks_enabled_for(tp.topic):  # tables' changelogs are read, not committed
            continue
        try:
            end = consumer.highwater(tp)
        except Exception:  # not fetched yet
            end = None
        views.append(
            PartitionView(tp.topic, tp.partition, committed.get(tp), end, read.get(tp), tp.topic in busy)
        )
    return views
