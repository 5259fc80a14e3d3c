"""The faust app: it only wires the stages onto agents, as the data flow goes.

    pages ──split──> stories ──index──> Elasticsearch ──> indexed ──alerts──> alerts ──notify──> webhooks, log
      │                 │                                   │
      └── links         └──────────── dead letters <────────┘   (every stage: stage, reason, original bytes)

Each stage is a plain class beside its package (``split/stage.py``, ``index/stage.py``,
``alerts/stage.py``, ``alerts/notify.py``) that takes its collaborators as arguments; unit tests drive
them directly. Reliability rules (the README's "Operations" and ``pipeline/README.md``):

* at-least-once: faust commits an offset only after the agent has moved past the message (the split
  stage acknowledges each page itself once Kafka has confirmed its stories), and sends are awaited
  until Kafka confirms them, so a commit never overtakes the output it stands for;
* faust acknowledges a message whose handler raised and never sees it again, so every stage catches
  per message and routes failures to the dead-letter topic; the stream goes on;
* anything Elasticsearch answers that Wirestream does not understand stops the worker loudly
  (exit 70) before the batch's offsets can be committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, NoReturn, cast

import aiohttp
import faust

from pipeline import kafka_clients
from pipeline.alerts.indices import ensure_alert_indices
from pipeline.alerts.ledger import AlertLedger
from pipeline.alerts.matcher import Matcher
from pipeline.alerts.notify import Notifier, NotifyStage
from pipeline.alerts.redeliver import OwedRounds, logged_round, retry_schedule
from pipeline.alerts.rulebook import RuleBook
from pipeline.alerts.stage import AlertStage
from pipeline.alerts.stats import AlertStats
from pipeline.cluster.clusterer import Clusterer
from pipeline.cluster.indices import ensure_cluster_indices
from pipeline.cluster.state import ElasticState
from pipeline.config import Settings
from pipeline.index import client as index_client
from pipeline.index.client import async_es_client, transient
from pipeline.index.stage import IndexStage
from pipeline.index.writer import BulkWriter
from pipeline.messages import Alert, utcnow
from pipeline.observability.housekeeping import STALLED, add_housekeeping
from pipeline.observability.liveness import EXIT_STALLED, ShutdownDeadline, restart_in_place
from pipeline.observability.logging import logging_config
from pipeline.retry import RetryPolicy, log_retries
from pipeline.split import SiteMemory, split
from pipeline.split.memory import LoopStore
from pipeline.split.pool import SplitPool, usable_cores
from pipeline.split.stage import SplitStage
from pipeline.stream import Backlog, Consumed, DeadLetters, Record, Send, where
from pipeline.topics import TopicNames

log = logging.getLogger("pipeline.worker")

#: Exit code when the worker stops itself on an answer it does not understand.
EXIT_FATAL = 70

#: Sends to Kafka and waits for Elasticsearch are retried without limit (consumption pauses).
KAFKA_SEND_RETRY = RetryPolicy(cap=10.0)
ELASTICSEARCH_WAIT = RetryPolicy(cap=30.0)


def faust_app(settings: Settings) -> faust.App:
    return faust.App(
        settings.worker_group,
        **kafka_clients.faust_options(settings),
        processing_guarantee="at_least_once",
        datadir=str(settings.state_dir / "worker" / settings.worker_group),
        web_enabled=settings.worker_web_enabled,
        web_port=settings.worker_web_port,
        web_host="0.0.0.0",  # noqa: S104 - the health endpoint must be reachable in a container
        topic_partitions=settings.topic_partitions,
        topic_allow_declare=True,  # `init` creates ours first, with their configs; this adds faust's own
        producer_acks=-1,
        producer_compression_type="zstd",
        producer_max_request_size=64 * 1024 * 1024,
        consumer_max_fetch_size=64 * 1024 * 1024,
        broker_max_poll_records=500,
        # a crashed worker's partitions move after this long, not faust's 60 s (measured: README)
        broker_session_timeout=settings.worker_session_timeout_seconds,
        broker_heartbeat_interval=settings.worker_session_timeout_seconds / 3,
        consumer_group_instance_id=settings.worker_instance_id,
        stream_buffer_maxsize=1000,
    )


def raw_topic(app: faust.App, name: str) -> Any:
    """Bytes in, bytes out: decoding is the stages' job, so its failures are theirs to route."""
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")


def sender(topic: Any) -> Send:
    """A :data:`Send` onto a faust topic that returns once Kafka confirmed, retrying without limit."""
    name = topic.get_topic_name()

    async def send(key: bytes | None, value: bytes) -> None:
        async def once() -> None:
            await (await topic.send(key=key, value=value))

        await KAFKA_SEND_RETRY.call(once, on_retry=log_retries(log, f"send to {name} failed"))

    return send


def stop_loudly(error: BaseException, message: Consumed) -> NoReturn:
    """Leave before faust can commit the batch's offsets (exit 70)."""
    log.critical(
        "stopping the worker: %s. The batch is not committed and will be consumed again after a fix.",
        error,
        extra={"stage": "index", **where(message)},
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(EXIT_FATAL)


def messages(events: list[Any]) -> list[Consumed]:
    return [event.message for event in events]


@dataclass(frozen=True)
class Outputs:
    """A :data:`Send` per output topic."""

    story: Send
    link: Send
    indexed: Send
    alert: Send
    dead: Send

    @classmethod
    def of(cls, app: faust.App, names: TopicNames) -> Outputs:
        topics = (names.stories, names.links, names.indexed, names.alerts, names.deadletter)
        return cls(*(sender(raw_topic(app, name)) for name in topics))


def create_app(settings: Settings) -> faust.App:
    """The worker: pages -> split -> stories -> index -> indexed -> alerts -> alerts topic -> notify."""
    app = faust_app(settings)
    names = TopicNames.from_settings(settings)
    out = Outputs.of(app, names)
    stats = AlertStats()
    rulebook = RuleBook(settings.index_alias, stats)  # one rule cache for the alert and notify stages
    add_housekeeping(app, settings, stats)
    backlog = Backlog()  # pages or stories waiting in Kafka: the alert stage yields the cores to ingestion
    add_split_agent(app, settings, raw_topic(app, names.pages), out, backlog)
    add_index_agent(app, settings, raw_topic(app, names.stories), out, backlog)
    add_alert_agent(app, settings, raw_topic(app, names.indexed), out, rulebook, stats, backlog)
    add_notify_agent(app, settings, raw_topic(app, names.alerts), out, rulebook, stats)
    return app


def add_split_agent(app: faust.App, settings: Settings, pages: Any, out: Outputs, backlog: Backlog) -> None:
    # Site memory: which paragraphs each site repeats across pages. A global table, so every worker
    # sees what all partitions have seen (pages of one site are spread over partitions by URL). It is
    # written outside the stream's events (by the split pool, or from the split thread through the
    # loop), so the changelog partition comes from the key (use_partitioner), not from an event.
    table = app.GlobalTable(
        f"{settings.worker_group}-site-memory",
        default=None,
        partitions=settings.topic_partitions,
        use_partitioner=True,
    )

    def on_loop(*args: Any) -> None:  # app.loop is the running loop only once the worker starts
        app.loop.call_soon_threadsafe(*args)

    memory = SiteMemory(store=LoopStore(table, on_loop))
    processes = usable_cores() if settings.split_processes is None else settings.split_processes
    pool = None
    if processes:
        days, most = settings.site_memory_days, settings.site_memory_max_paragraphs
        pool = SplitPool(
            processes, settings.language_engine, settings.split_budget_seconds, table, most, days
        )
    stage = SplitStage(
        partial(split, memory=memory, engine=settings.language_engine),
        out.story,
        out.link,
        DeadLetters("split", out.dead),
        max_page_bytes=settings.max_page_bytes,
        in_flight=settings.split_in_flight,
        budget_seconds=settings.split_budget_seconds,
        pool=pool,
    )

    @app.timer(600.0)  # type: ignore[untyped-decorator]
    async def prune_site_memory() -> None:
        forgotten = memory.prune(settings.site_memory_max_paragraphs, settings.site_memory_days)
        if forgotten:
            log.info("site memory pruned", extra={"stage": "split", "count": forgotten})

    def taken(event: Any) -> Consumed:
        backlog.took(event.message.timestamp)
        return cast(Consumed, event.message)

    @app.agent(pages, name="split")
    async def split_agent(stream: Any) -> None:
        manual = stream.noack()
        try:
            await stage.run(manual.events(), message_of=taken, ack=manual.ack)
        finally:
            if pool is not None:
                pool.close()


def add_index_agent(app: faust.App, settings: Settings, stories: Any, out: Outputs, backlog: Backlog) -> None:
    @app.agent(stories, name="index")
    async def index_agent(stream: Any) -> None:
        es = async_es_client(settings)
        writer = BulkWriter(es, settings.index_alias, RetryPolicy(cap=settings.bulk_backoff_max_seconds))
        indexed = out.indexed if settings.alerts_enabled else None
        clusters = await clusterer(settings, es) if settings.clusters_enabled else None
        stage = IndexStage(
            writer, DeadLetters("index", out.dead), indexed, stop_loudly, clusters, ELASTICSEARCH_WAIT
        )
        try:
            async for events in stream.take_events(
                settings.bulk_batch_size, within=settings.bulk_linger_seconds
            ):
                backlog.took(events[0].message.timestamp, stage="index")  # the batch's oldest
                await stage.batch(messages(events))
        finally:
            await es.close()

    if settings.clusters_enabled:

        @app.timer(3600.0, on_leader=True)  # type: ignore[untyped-decorator]
        async def close_old_clusters() -> None:
            es = async_es_client(settings)
            try:
                forgotten = await ElasticState(es, settings.index_alias).prune(
                    settings.cluster_days, utcnow()
                )
                log.info("cluster state pruned", extra={"stage": "index", "count": forgotten})
            except Exception as exc:  # Elasticsearch away: the next hour tries again
                log.warning("could not prune the cluster state: %s", exc, extra={"stage": "index"})
            finally:
                await es.close()


async def clusterer(settings: Settings, es: Any) -> Clusterer:
    """The index stage's clusterer; its indices made first (Elasticsearch may still be starting)."""
    loop = asyncio.get_running_loop()
    await ELASTICSEARCH_WAIT.call(
        lambda: loop.run_in_executor(None, ensure_cluster_indices, settings),
        retryable=transient,
        on_retry=log_retries(log, "index stage waiting for Elasticsearch", {"stage": "index"}),
    )
    return Clusterer(
        ElasticState(es, settings.index_alias), settings.cluster_days, partial(loop.run_in_executor, None)
    )


def add_alert_agent(
    app: faust.App,
    settings: Settings,
    indexed: Any,
    out: Outputs,
    rulebook: RuleBook,
    stats: AlertStats,
    backlog: Backlog,
) -> None:
    @app.agent(indexed, name="alerts")
    async def alert_agent(stream: Any) -> None:
        loop = asyncio.get_running_loop()  # Elasticsearch may still be starting: wait for it
        await ELASTICSEARCH_WAIT.call(
            lambda: loop.run_in_executor(None, ensure_alert_indices, settings),
            retryable=transient,
            on_retry=log_retries(log, "alert stage waiting for Elasticsearch", {"stage": "alerts"}),
        )
        es = async_es_client(settings)
        stage = AlertStage(
            partial(rulebook.rules, es),
            Matcher(es, settings.index_alias, stats),
            AlertLedger(es, settings.index_alias, stats),
            out.alert,
            DeadLetters("alerts", out.dead),
            ELASTICSEARCH_WAIT,
            stats,
            busy_share=settings.alert_busy_share,
            behind=backlog.behind,
        )
        try:
            async for events in stream.take_events(100, within=settings.alert_linger_seconds):
                await stage.batch(messages(events))
                await asyncio.sleep(stage.pause)
        finally:
            await es.close()


def add_notify_agent(
    app: faust.App, settings: Settings, alerts: Any, out: Outputs, rulebook: RuleBook, stats: AlertStats
) -> None:
    @app.agent(alerts, name="notify")
    async def notify_agent(stream: Any) -> None:
        es = async_es_client(settings)
        session = aiohttp.ClientSession(trust_env=False)
        retry = RetryPolicy(cap=settings.webhook_backoff_max_seconds, attempts=settings.webhook_attempts)
        stage = NotifyStage(
            partial(rulebook.rules, es),
            rulebook.rule,
            AlertLedger(es, settings.index_alias, stats),
            Notifier(session, retry, settings.webhook_timeout_seconds, settings.webhook_per_host),
            DeadLetters("notify", out.dead),
            ELASTICSEARCH_WAIT,
            stats,
            retry_schedule(settings),
            receiver_back=owed.start,
        )
        try:
            async for events in stream.take_events(100, within=0.1):
                await stage.batch(messages(events))
        finally:
            await session.close()
            await es.close()

    dead = DeadLetters("notify", out.dead)

    async def give_up(alert: Alert, why: str) -> None:
        await dead(
            Record(alerts.get_topic_name(), -1, -1, alert.id.encode(), alert.to_bytes()),
            why,
            "DeliveryFailed",
        )

    owed = OwedRounds(settings, rulebook, stats, give_up)  # for receivers that answer again

    @app.timer(settings.alert_retry_check_seconds, on_leader=True)  # type: ignore[untyped-decorator]
    async def redeliver_due() -> None:  # later rounds of failed notifications (one worker: the leader)
        await logged_round(settings, rulebook, stats, give_up)


class Worker(faust.Worker):
    """faust's worker, whose shutdown after SIGTERM/SIGINT ends within a bound."""

    def __init__(self, *args: Any, deadline: ShutdownDeadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _schedule_shutdown(self, signal: signal.Signals) -> None:
        self._deadline.arm()
        super()._schedule_shutdown(signal)


def run_worker(settings: Settings, app_factory: Callable[[Settings], faust.App] = create_app) -> None:
    """Run the faust worker in this process until it is stopped (SIGTERM/SIGINT) or a partition
    stalls (then it restarts in place, or exits 75 for its orchestrator: the restart reads it
    again). Refused credentials or an untrusted certificate end it at once (exit 4 or 5), before
    faust would retry them for ever."""
    kafka_clients.check_access(settings)
    index_client.check_access(settings)
    (settings.state_dir / "worker").mkdir(parents=True, exist_ok=True)

    def restart_if_stalled() -> None:  # a stall's shutdown is done (or overdue): start again
        if STALLED.is_set() and settings.worker_restart_on_stall:
            restart_in_place()

    def overdue(code: int) -> NoReturn:
        restart_if_stalled()
        os._exit(code)

    worker = Worker(
        app_factory(settings),
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format, settings.log_repeat_seconds),
        override_logging=True,
        deadline=ShutdownDeadline(settings.worker_shutdown_seconds, overdue),
    )
    try:
        worker.execute_from_commandline()
    except SystemExit:
        restart_if_stalled()
        if STALLED.is_set():
            raise SystemExit(EXIT_STALLED) from None
        raise
