"""The alert stage: indexed ids -> every rule -> alerts recorded once -> the alerts topic.

Indexed batches are grouped (``take_events``), matched in chunks of ``chunk`` stories, each alert
recorded in the ledger before it is sent. Elasticsearch being busy or down is waited out (the
retry policy, no limit); a failure that is not transient is logged and the batch's messages are
dead-lettered with the reason, so nothing is lost and the stream goes on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import partial

from pipeline.alerts.ledger import AlertLedger
from pipeline.alerts.matcher import Matcher
from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats
from pipeline.errors import PermanentError
from pipeline.index.client import transient
from pipeline.messages import Alert, IndexedBatch, decode
from pipeline.observability.metrics import ALERT_LATENCY, ALERTS_FIRED
from pipeline.retry import RetryPolicy, log_retries
from pipeline.stream import Consumed, DeadLetters, Send, where

log = logging.getLogger("pipeline.worker")

#: Stories per rule search (``_msearch``); a bigger group of indexed batches is searched in parts.
MATCH_CHUNK = 1000
#: The longest pause between two batches (see :func:`pause_after`).
LONGEST_PAUSE = 0.5


def pause_after(took: float, share: float) -> float:
    """How long to wait after a batch whose matching took ``took`` seconds so that matching takes
    at most ``share`` of the stage's time. A batch costs Elasticsearch much the same whatever its
    size (the rules' searches, a refresh), so while matching is dear (many rules) the stories that
    arrive in the pause join the next batch: fewer, larger searches, and ingestion keeps its share
    of the cores. Cheap matching waits next to nothing. Never more than :data:`LONGEST_PAUSE`.
    The stage pauses only while ingestion is behind (:class:`pipeline.stream.Backlog`): then the
    stories' wait is the pages' wait, and a worker that keeps up alerts at once."""
    return min(LONGEST_PAUSE, max(0.0, took * (1 / share - 1)))


class AlertStage:
    def __init__(
        self,
        rules: Callable[[], Awaitable[list[Rule]]],
        matcher: Matcher,
        ledger: AlertLedger,
        send_alert: Send,
        dead_letters: DeadLetters,
        retry: RetryPolicy,
        stats: AlertStats,
        chunk: int = MATCH_CHUNK,
        busy_share: float = 1.0,
        behind: Callable[[], bool] = lambda: False,
    ) -> None:
        self.rules = rules  # the current rules (RuleBook.rules)
        self.matcher = matcher
        self.ledger = ledger
        self.send_alert = send_alert
        self.dead_letters = dead_letters
        self.retry = retry
        self.stats = stats
        self.chunk = chunk
        self.busy_share = busy_share
        self.behind = behind  # is ingestion behind (the pause only helps then)
        self.pause = 0.0  # what the agent waits before taking the next batch

    async def batch(self, messages: Sequence[Consumed]) -> None:
        started = time.monotonic()
        try:
            await self._batch(messages)
        finally:
            took = time.monotonic() - started
            self.pause = pause_after(took, self.busy_share) if self.behind() else 0.0

    async def _batch(self, messages: Sequence[Consumed]) -> None:
        if not messages:
            return
        ids: list[str] = []
        languages: set[str] = set()
        for message in messages:
            try:
                indexed = decode(IndexedBatch, message.value)
            except PermanentError as exc:
                await self.dead_letters.error(message, exc)
                continue
            ids += indexed.ids
            languages.update(indexed.languages)
        ids = list(dict.fromkeys(ids))
        ctx = {"stage": "alerts", **where(messages[-1])}
        for start in range(0, len(ids), self.chunk):
            chunk = ids[start : start + self.chunk]
            try:
                alerts = await self.retry.call(
                    partial(self._fire, chunk, sorted(languages)),
                    retryable=transient,
                    on_retry=log_retries(log, "alert stage waiting for Elasticsearch", ctx),
                )
            except Exception as exc:  # not transient: keep the input, go on
                log.exception("alert matching failed", extra=ctx)
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                for message in messages:
                    await self.dead_letters(message, f"matching failed: {exc}", type(exc).__name__)
                return
            await asyncio.gather(*(self.send_alert(a.id.encode(), a.to_bytes()) for a in alerts))
            for alert in alerts:
                ALERTS_FIRED.labels(alert.rule).inc()
                ALERT_LATENCY.observe(max(0.0, (alert.fired_at - alert.first_seen_at).total_seconds()))
            if alerts:
                log.info("%d alerts fired", len(alerts), extra={**ctx, "count": len(alerts)})

    async def _fire(self, ids: list[str], languages: list[str]) -> list[Alert]:
        rules = await self.rules()
        return await self.ledger.record(await self.matcher.match(ids, rules, languages))
