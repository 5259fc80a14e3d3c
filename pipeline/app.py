"""The faust app: topics and agents. Each agent decodes, calls the pure core, sends, routes failures.

Four agents: split (pages -> stories), index (stories -> Elasticsearch, then the written ids to the
indexed topic), alerts (indexed ids -> every rule -> alerts recorded once -> alerts topic) and notify
(alerts -> webhooks, log). Each reads its own topic, so a slow stage never holds the ones before it.

Reliability rules (see DESIGN.md section 6):

* at-least-once: faust commits an offset only after the agent has moved past the message (the split
  stage acknowledges each page itself, once Kafka has confirmed its stories; faust commits up to
  the first page not yet acknowledged), and the producer is flushed before every commit;
* faust acknowledges a message whose handler raised and never sees it again, so every agent catches
  per message: a PermanentError (or an unexpected bug on one page) goes to the dead-letter topic
  with the stage, the reason and the original bytes; the stream goes on;
* sends are awaited until Kafka confirms them, so a commit never overtakes the output it stands for;
* the index stage returns from a batch only when every story is indexed or dead-lettered, and its
  ids are on the indexed topic;
  anything Elasticsearch answers that we do not understand stops the worker loudly (exit 70),
  before the batch's offsets can be committed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import aiohttp
import faust
from elasticsearch import ApiError, TransportError

from pipeline.alerts.notify import Notifier
from pipeline.alerts.rules import Target
from pipeline.alerts.stage import AlertStage, AlertStats, TransientAlertError, delivery_state
from pipeline.alerts.store import ensure_alert_indices
from pipeline.config import Settings
from pipeline.errors import PermanentError
from pipeline.index.client import async_es_client
from pipeline.index.triage import backoff
from pipeline.index.writer import BulkWriter, FatalIndexError
from pipeline.language import engines as language_engines
from pipeline.messages import Alert, DeadLetter, IndexedBatch, RawPage, Story, TeaserLink, decode
from pipeline.split import SiteMemory, split
from pipeline.topics import TopicNames

log = logging.getLogger("pipeline.worker")

#: Exit code when the worker stops itself on an answer it does not understand.
EXIT_FATAL = 70

T = TypeVar("T")

#: Stories per rule search (``_msearch``); a bigger group of indexed batches is searched in parts.
MATCH_CHUNK = 1000


def _broker_url(settings: Settings) -> str:
    return ";".join(f"kafka://{server.strip()}" for server in settings.kafka_bootstrap_servers.split(","))


def _credentials(settings: Settings) -> Any:
    if settings.kafka_username and settings.kafka_password is not None:
        return faust.SASLCredentials(
            username=settings.kafka_username,
            password=settings.kafka_password.get_secret_value(),
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=None,
        )
    return None


def where(message: Any) -> dict[str, Any]:
    """Log context of a consumed message."""
    return {"topic": message.topic, "partition": message.partition, "offset": message.offset}


def create_app(settings: Settings) -> faust.App:
    names = TopicNames.from_settings(settings)
    app = faust.App(
        settings.worker_group,
        broker=_broker_url(settings),
        broker_credentials=_credentials(settings),
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
        stream_buffer_maxsize=1000,
    )

    def raw_topic(name: str) -> Any:  # bytes in, bytes out: decoding is ours, so failures are ours to route
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    pages_topic = raw_topic(names.pages)
    stories_topic = raw_topic(names.stories)
    links_topic = raw_topic(names.links)
    deadletter_topic = raw_topic(names.deadletter)
    indexed_topic = raw_topic(names.indexed)
    alerts_topic = raw_topic(names.alerts)
    alert_stats = AlertStats()

    async def send(topic: Any, key: bytes | None, value: bytes, ctx: dict[str, Any]) -> None:
        """Send and wait for Kafka's confirmation, retrying transient failures without limit."""
        attempt = 0
        while True:
            try:
                fut = await topic.send(key=key, value=value)
                await fut
                return
            except Exception as exc:
                attempt += 1
                delay = backoff(attempt, cap=10.0)
                log.warning(
                    "send to %s failed (%s); retrying in %.1fs", topic.get_topic_name(), exc, delay, extra=ctx
                )
                await asyncio.sleep(delay)

    async def dead_letter(stage: str, message: Any, reason: str, error_type: str) -> None:
        ctx = {"stage": stage, **where(message), "reason": reason, "error_type": error_type}
        log.warning("dead-lettered: %s", reason, extra=ctx)
        letter = DeadLetter(
            stage=stage,
            reason=reason,
            error_type=error_type,
            original=message.value or b"",
            original_key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        await send(deadletter_topic, message.key, letter.to_bytes(), ctx)

    # Site memory: which paragraphs each site repeats across pages. A global table, so every worker
    # sees what all partitions have seen (pages of one site are spread over partitions by URL).
    site_memory = SiteMemory(
        store=app.GlobalTable(
            f"{settings.worker_group}-site-memory", default=None, partitions=settings.topic_partitions
        )
    )

    @app.task  # type: ignore[untyped-decorator]
    async def load_language_models() -> None:  # at start, not on the first page
        await asyncio.get_running_loop().run_in_executor(None, language_engines.warm_up)

    @app.page("/health/")
    async def health(web: Any, request: Any) -> Any:  # the process is up and its agents are running
        return web.json({"status": "ok", "group": settings.worker_group, "alerts": alert_stats.as_dict()})

    @app.timer(60.0)  # type: ignore[untyped-decorator]
    async def report_alert_stats() -> None:
        if alert_stats.batches:
            log.info("alert stage", extra={"stage": "alerts", **alert_stats.as_dict()})

    async def split_one(message: Any) -> list[Any]:
        """Split one page; returns the sends of its stories and links (dead-letters it on failure)."""
        try:
            if message.value is not None and len(message.value) > settings.max_page_bytes:
                raise PermanentError(
                    f"page is {len(message.value)} bytes, over the cap of {settings.max_page_bytes} "
                    "(WIRESTREAM_MAX_PAGE_BYTES)"
                )
            page = decode(RawPage, message.value)
            result = split(page, site_memory, settings.language_engine)
        except PermanentError as exc:
            await dead_letter("split", message, str(exc), type(exc).__name__)
            return []
        except Exception as exc:  # a bug on one page must not stop the stream; keep the page
            log.exception("split failed unexpectedly", extra={"stage": "split", **where(message)})
            await dead_letter("split", message, f"unexpected {type(exc).__name__}: {exc}", type(exc).__name__)
            return []
        ctx = {"stage": "split", **where(message)}
        links = [
            TeaserLink(url=link.url, title=link.title, site=page.site, page_url=page.canonical_url)
            for link in result.links
            if link.url
        ]
        log.debug(
            "page split into %d stories", len(result.stories), extra={**ctx, "count": len(result.stories)}
        )
        return [
            *(send(stories_topic, s.id.encode(), s.to_bytes(), ctx) for s in result.stories),
            *(send(links_topic, link.url.encode(), link.to_bytes(), ctx) for link in links),
        ]

    @app.agent(pages_topic, name="split")
    async def split_stage(stream: Any) -> None:
        # Pages are split one after the other, but their sends are confirmed in the background: a
        # page is acknowledged (and may be committed) only once Kafka has every story and link it
        # gave. faust commits up to the first page not yet acknowledged, so order does not matter.
        manual = stream.noack()
        in_flight = asyncio.Semaphore(settings.split_in_flight)
        confirming: set[asyncio.Task[None]] = set()

        async def confirm(event: Any, sends: list[Any]) -> None:
            try:
                await asyncio.gather(*sends)
                await manual.ack(event)
            finally:
                in_flight.release()

        async for event in manual.events():
            sends = await split_one(event.message)
            await in_flight.acquire()
            task = asyncio.ensure_future(confirm(event, sends))
            confirming.add(task)
            task.add_done_callback(confirming.discard)

    @app.agent(stories_topic, name="index")
    async def index_stage(stream: Any) -> None:
        es = async_es_client(settings)
        writer = BulkWriter(es, settings.index_alias, backoff_cap=settings.bulk_backoff_max_seconds)
        try:
            async for events in stream.take_events(
                settings.bulk_batch_size, within=settings.bulk_linger_seconds
            ):
                stories: list[Story] = []
                sources: list[Any] = []
                for event in events:
                    try:
                        stories.append(decode(Story, event.message.value))
                        sources.append(event.message)
                    except PermanentError as exc:
                        await dead_letter("index", event.message, str(exc), type(exc).__name__)
                try:
                    result = await writer.write(stories)
                except FatalIndexError as exc:
                    _stop_loudly(exc, events[0].message)
                for rejected in result.rejected:
                    await dead_letter(
                        "index", sources[rejected.position], rejected.reason, rejected.error_type
                    )
                refused = {rejected.position for rejected in result.rejected}
                written = [story for i, story in enumerate(stories) if i not in refused]
                if written and settings.alerts_enabled:  # before the commit: the alert stage's input
                    batch = IndexedBatch(
                        ids=[story.id for story in written],
                        languages=sorted({story.lang for story in written}),
                    )
                    await send(
                        indexed_topic, None, batch.to_bytes(), {"stage": "index", **where(events[-1].message)}
                    )
                log.info(
                    "indexed %d stories (%d already there, %d rejected)",
                    result.indexed,
                    result.conflicts,
                    len(result.rejected),
                    extra={"stage": "index", **where(events[-1].message), "count": len(events)},
                )
        finally:
            await es.close()

    @app.agent(indexed_topic, name="alerts")
    async def alert_stage(stream: Any) -> None:
        """Indexed stories -> rules (one search per group) -> recorded once -> the alerts topic."""
        loop = asyncio.get_running_loop()  # Elasticsearch may still be starting: wait for it
        await _until_answered(
            lambda: loop.run_in_executor(None, ensure_alert_indices, settings), {"stage": "alerts"}
        )
        es = async_es_client(settings)
        stage = AlertStage(es, settings.index_alias, alert_stats)
        try:
            async for events in stream.take_events(100, within=settings.alert_linger_seconds):
                ids: list[str] = []
                languages: set[str] = set()
                for event in events:
                    try:
                        batch = decode(IndexedBatch, event.message.value)
                        ids += batch.ids
                        languages.update(batch.languages)
                    except PermanentError as exc:
                        await dead_letter("alerts", event.message, str(exc), type(exc).__name__)
                ids = list(dict.fromkeys(ids))
                ctx = {"stage": "alerts", **where(events[-1].message)}
                for start in range(0, len(ids), MATCH_CHUNK):
                    chunk = ids[start : start + MATCH_CHUNK]
                    try:
                        alerts = await _until_answered(partial(_match, stage, chunk, sorted(languages)), ctx)
                    except Exception as exc:  # not transient: keep the input, go on
                        log.exception("alert matching failed", extra=ctx)
                        alert_stats.last_error = f"{type(exc).__name__}: {exc}"
                        for event in events:
                            await dead_letter(
                                "alerts", event.message, f"matching failed: {exc}", type(exc).__name__
                            )
                        break
                    await asyncio.gather(
                        *(send(alerts_topic, a.id.encode(), a.to_bytes(), ctx) for a in alerts)
                    )
                    if alerts:
                        log.info("%d alerts fired", len(alerts), extra={**ctx, "count": len(alerts)})
        finally:
            await es.close()

    @app.agent(alerts_topic, name="notify")
    async def notify_stage(stream: Any) -> None:
        """Alerts -> their rules' targets. Its own agent: a failing webhook never holds ingestion."""
        es = async_es_client(settings)
        stage = AlertStage(es, settings.index_alias, alert_stats)
        session = aiohttp.ClientSession(trust_env=False)
        notifier = Notifier(
            session,
            attempts=settings.webhook_attempts,
            timeout=settings.webhook_timeout_seconds,
            backoff_cap=settings.webhook_backoff_max_seconds,
        )

        async def deliver(message: Any, alert: Alert) -> tuple[Alert, dict[str, Any]]:
            rule = stage.rule(alert.rule)
            targets = rule.targets if rule is not None else [Target(type="log")]  # rule removed since
            deliveries = await notifier.notify(alert, targets)
            failed = [d for d in deliveries if d.error is not None]
            alert_stats.delivered += len(deliveries) - len(failed)
            alert_stats.delivery_failures += sum(d.attempts - (d.error is None) for d in deliveries)
            if failed:
                alert_stats.given_up += len(failed)
                why = "; ".join(f"{d.target}: {d.error} after {d.attempts} attempts" for d in failed)
                alert_stats.last_error = f"alert {alert.id} ({alert.rule}): {why}"
                await dead_letter("notify", message, f"notification failed: {why}", "DeliveryFailed")
            return alert, delivery_state("; ".join(f"{d.target}: {d.error}" for d in failed) or None)

        try:
            async for events in stream.take_events(100, within=0.1):
                try:
                    await stage.rules()  # the targets as they are now
                except Exception as exc:  # the last rules loaded will do
                    log.warning("could not reload the rules: %s", exc, extra={"stage": "notify"})
                received: dict[str, tuple[Any, Alert]] = {}
                for event in events:
                    try:
                        alert = decode(Alert, event.message.value)
                    except PermanentError as exc:
                        await dead_letter("notify", event.message, str(exc), type(exc).__name__)
                        continue
                    received[alert.id] = (event.message, alert)
                alerts = [alert for _, alert in received.values()]
                try:
                    due = await _until_answered(partial(stage.undelivered, alerts), {"stage": "notify"})
                except Exception as exc:  # cannot tell: notifying twice beats not notifying
                    log.warning("could not read delivery states: %s", exc, extra={"stage": "notify"})
                    due = alerts
                done = await asyncio.gather(*(deliver(received[alert.id][0], alert) for alert in due))
                await stage.mark(done)
        finally:
            await session.close()
            await es.close()

    return app


async def _match(stage: AlertStage, ids: list[str], languages: list[str]) -> list[Alert]:
    return await stage.record(await stage.match(ids, languages=languages))


async def _until_answered(call: Callable[[], Awaitable[T]], ctx: dict[str, Any]) -> T:
    """Run ``call`` until Elasticsearch answers (429, 5xx, timeouts and refused connections are
    retried with capped backoff and no limit, as the index stage does)."""
    attempt = 0
    while True:
        try:
            return await call()
        except (TransientAlertError, TransportError, OSError, ApiError) as exc:
            if isinstance(exc, ApiError) and exc.meta.status != 429 and exc.meta.status < 500:
                raise
            attempt += 1
            delay = backoff(attempt, cap=30.0)
            log.warning(
                "alert stage waiting for Elasticsearch (%s); retrying in %.1fs", exc, delay, extra=ctx
            )
            await asyncio.sleep(delay)


def _stop_loudly(exc: BaseException, message: Any) -> None:
    log.critical(
        "stopping the worker: %s. The batch is not committed and will be consumed again after a fix.",
        exc,
        extra={"stage": "index", **where(message)},
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(EXIT_FATAL)  # leave before faust can commit the batch's offsets


def run_worker(settings: Settings) -> None:
    """Run the faust worker in this process until it is stopped (SIGTERM/SIGINT)."""
    from pipeline.observability.logging import logging_config

    (settings.state_dir / "worker").mkdir(parents=True, exist_ok=True)
    app = create_app(settings)
    worker = faust.Worker(
        app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        override_logging=True,
    )
    worker.execute_from_commandline()
