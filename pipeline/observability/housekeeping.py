"""The worker's housekeeping beside its stages: language models loaded at start, the event loop's
delay measured, its web pages (``/health/``, ``/live/``: 503 once a partition stalled, then a
shutdown that exits 75; ``/ready/``; ``/metrics``), the consumer lag gauge, and the alert counters
in the log."""

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
from pipeline.index.client import async_es_client
from pipeline.language import engines as language_engines
from pipeline.observability.liveness import LoopLag, PartitionView, StallWatch
from pipeline.observability.metrics import CONSUMER_LAG, exposition

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

    add_pages(app, settings, stats, stalled, lag)

    @app.timer(5.0)  # type: ignore[untyped-decorator]
    async def watch_for_stalls() -> None:
        views = partition_views(app)
        for view in views:
            if view.end is not None:
                lag_of = max(0, view.end - (view.committed or 0))
                CONSUMER_LAG.labels(view.topic, str(view.partition)).set(lag_of)
        stalls = watch.observe(time.monotonic(), views)
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


def add_pages(
    app: faust.App, settings: Settings, stats: AlertStats, stalled: list[str], lag: LoopLag
) -> None:
    """The worker's web pages: health, liveness, readiness, metrics."""

    @app.page("/health/")
    async def health(web: Any, request: Any) -> Any:  # up, agents running, no partition stalled
        status = {"group": settings.worker_group, "loop_lag_ms_max": lag.max_ms, "alerts": stats.as_dict()}
        if stalled:
            return web.json({"status": "stalled", "stalled": stalled, **status}, status=503)
        return web.json({"status": "ok", **status})

    @app.page("/live/")
    async def live(web: Any, request: Any) -> Any:  # liveness: the loop answers, nothing stalled
        if stalled:
            return web.json({"status": "stalled", "stalled": stalled}, status=503)
        return web.json({"status": "live", "loop_lag_ms_max": lag.max_ms})

    ready = Readiness(settings)

    @app.page("/ready/")
    async def readiness(web: Any, request: Any) -> Any:  # partitions assigned, Elasticsearch answers
        problems = await ready.problems(app, stalled)
        if problems:
            return web.json({"status": "not ready", "problems": problems}, status=503)
        return web.json({"status": "ready"})

    @app.page("/metrics")
    async def metrics(web: Any, request: Any) -> Any:  # Prometheus's text format
        body, content_type = exposition()
        return web.bytes(body, content_type=content_type.split(";")[0])


class Readiness:
    """Ready to take traffic: partitions assigned and Elasticsearch answering (asked at most every
    few seconds; Kafka answers when partitions are assigned)."""

    def __init__(self, settings: Settings, every: float = 5.0) -> None:
        self.settings = settings
        self.every = every
        self._es_ok_at = float("-inf")
        self._es: Any = None

    async def problems(self, app: faust.App, stalled: list[str]) -> list[str]:
        found = [f"stalled: {s}" for s in stalled]
        if not app.consumer.assignment():
            found.append("no partitions assigned (yet)")
        if time.monotonic() - self._es_ok_at > self.every:
            if self._es is None:
                self._es = async_es_client(self.settings)
            try:
                health = await self._es.cluster.health(request_timeout=2)
                if health["status"] == "red":
                    found.append("Elasticsearch's cluster is red")
                else:
                    self._es_ok_at = time.monotonic()
            except Exception as exc:
                found.append(f"Elasticsearch: {type(exc).__name__}: {exc}")
        return found


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
