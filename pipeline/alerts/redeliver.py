"""Later rounds for notifications that failed: receiver outages of any length.

The notify stage marks an alert whose webhook failed every immediate attempt as ``retrying``, with
``retry_at`` and the targets still owed (``pending_targets``). :meth:`Redeliverer.run` - every few
seconds on the worker group's leader, or on demand (`wirestream alerts redeliver`) - picks the due
ones from ``<alias>.alerts``, claims each (an update conditioned on its sequence number, which marks
it ``sending`` and pushes ``retry_at`` past a lease: two workers or a worker and the command never
both send it, and a sender that dies mid-delivery leaves it to be sent once more after the lease),
sends it to the
targets still owed, and records the end of the round: delivered, retrying at the next round of the
schedule, or failed past the horizon (then dead-lettered). Receivers deduplicate on the alert id.

A receiver that answers again (the notify stage saw a webhook that had failed deliver a new alert)
need not wait for the rounds: a run with ``owed_to`` takes every retrying alert still owed to it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import aiohttp
from elasticsearch import AsyncElasticsearch, ConflictError

from pipeline.alerts.indices import alerts_index
from pipeline.alerts.ledger import RetrySchedule, delivery_state, target_key
from pipeline.alerts.notify import Notifier
from pipeline.alerts.rulebook import RuleBook
from pipeline.alerts.rules import Rule, Target
from pipeline.alerts.stats import AlertStats
from pipeline.config import Settings
from pipeline.index.client import async_es_client
from pipeline.messages import Alert, utcnow
from pipeline.observability.metrics import WEBHOOK_DELIVERIES
from pipeline.retry import RetryPolicy

log = logging.getLogger("pipeline.alerts")

#: Gives up on an alert: (the alert, why). The worker dead-letters it.
GiveUp = Callable[[Alert, str], Awaitable[None]]


#: Alerts one round reads at most.
PAGE = 500
#: Alerts one round sends at once (each claimed, sent and recorded; the notifier bounds the requests
#: to one receiver host on its own).
AT_ONCE = 8


@dataclass
class Report:
    """What one run did."""

    due: int = 0
    claimed_elsewhere: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Report) -> None:
        """Counts (and errors) of a following round added to this one's."""
        for name in (f.name for f in fields(self)):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        return {
            "due": self.due,
            "claimed_elsewhere": self.claimed_elsewhere,
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
        }


def due_query(
    now: datetime,
    *,
    every_failed: bool,
    rule: str | None = None,
    since: datetime | None = None,
    owed_to: str | None = None,
) -> dict[str, Any]:
    """Alerts owed a notification: those retrying whose round is due; with ``every_failed`` (the
    command) every retrying or failed one, whenever its round; with ``owed_to`` (a receiver that
    answers again) every retrying one still owed to that target, whenever its round.

    An alert being sent (claimed: ``sending``, its lease in ``retry_at``) is left to its sender until
    the lease ends (the sender died mid-delivery); then it is due like a retrying one. Only the
    schedule's query may look at ``retry_at`` alone: the other two pass over rounds not due yet, so
    they must tell a claim from a round by the state."""
    due = {"range": {"retry_at": {"lte": now.isoformat()}}}
    unclaimed_sender_gone = {"bool": {"filter": [{"term": {"delivery": "sending"}}, due]}}
    if every_failed or owed_to is not None:
        states = ["retrying", "failed"] if every_failed else ["retrying"]
        owed = {"terms": {"delivery": states}}
        filters: list[dict[str, Any]] = [
            {"bool": {"should": [owed, unclaimed_sender_gone], "minimum_should_match": 1}}
        ]
        if owed_to is not None:
            filters.append({"term": {"pending_targets": owed_to}})
    else:
        filters = [{"terms": {"delivery": ["retrying", "sending"]}}, due]
    if rule is not None:
        filters.append({"term": {"rule": rule}})
    if since is not None:
        filters.append({"range": {"fired_at": {"gte": since.isoformat()}}})
    return {"bool": {"filter": filters}}


def owed_targets(rule: Rule, pending: list[str]) -> list[Target]:
    """The rule's webhooks still owed the alert. When none of the owed targets is in the rule any
    more (its webhook was corrected since), every webhook the rule has now."""
    hooks = [t for t in rule.targets if t.type == "webhook" and t.url]
    owed = [t for t in hooks if t.url and target_key(t.url) in pending]
    return owed or hooks


class Redeliverer:
    def __init__(
        self,
        es: AsyncElasticsearch,
        alias: str,
        notifier: Notifier,
        rules: Callable[[], Awaitable[list[Rule]]],
        schedule: RetrySchedule,
        lease_seconds: float,
        give_up: GiveUp,
        stats: AlertStats | None = None,
    ) -> None:
        self.es = es
        self.index = alerts_index(alias)
        self.notifier = notifier
        self.rules = rules
        self.schedule = schedule
        self.lease = timedelta(seconds=lease_seconds)
        self.give_up = give_up
        self.stats = stats or AlertStats()

    async def run(
        self,
        *,
        every_failed: bool = False,
        rule: str | None = None,
        since: datetime | None = None,
        owed_to: str | None = None,
        limit: int = PAGE,
    ) -> Report:
        """One round over the alerts due (see :func:`due_query`), oldest first."""
        now = utcnow()
        report = Report()
        found = await self.es.search(
            index=self.index,
            query=due_query(now, every_failed=every_failed, rule=rule, since=since, owed_to=owed_to),
            sort=[{"fired_at": "asc"}],
            size=limit,
            seq_no_primary_term=True,
            ignore_unavailable=True,
        )
        hits = found["hits"]["hits"]
        report.due = len(hits)
        if not hits:
            return report
        by_name = {r.name: r for r in await self.rules()}
        turns = asyncio.Semaphore(AT_ONCE)

        async def one(hit: dict[str, Any]) -> None:
            async with turns:
                if not await self._claim(hit, now):
                    report.claimed_elsewhere += 1
                    return
                await self._round(hit, by_name.get(hit["_source"].get("rule", "")), report)

        await asyncio.gather(*(one(hit) for hit in hits))  # started oldest first
        return report

    async def _claim(self, hit: dict[str, Any], now: datetime) -> bool:
        try:
            await self.es.update(
                index=self.index,
                id=hit["_id"],
                doc={"retry_at": (now + self.lease).isoformat(), "delivery": "sending"},
                if_seq_no=hit["_seq_no"],
                if_primary_term=hit["_primary_term"],
            )
        except ConflictError:
            return False
        return True

    async def _round(self, hit: dict[str, Any], rule: Rule | None, report: Report) -> None:
        source = hit["_source"]
        alert = Alert.model_validate({k: v for k, v in source.items() if k in Alert.model_fields})
        rounds = int(source.get("delivery_rounds") or 1) + 1
        was_failed = source.get("delivery") == "failed"
        if rule is None:
            why = f"rule {alert.rule!r} was removed"
            deliveries = []
        else:
            deliveries = await self.notifier.notify(
                alert, owed_targets(rule, source.get("pending_targets") or [])
            )
            failed = [d for d in deliveries if d.error is not None]
            why = "; ".join(f"{d.target}: {d.error} after {d.attempts} attempts" for d in failed)
        if rule is not None and not why:
            state = delivery_state(None, rounds=rounds)
            report.delivered += 1
            self.stats.redelivered += 1
            WEBHOOK_DELIVERIES.labels("delivered").inc()
            log.info(
                "notification delivered in round %d",
                rounds,
                extra={"stage": "notify", "rule": alert.rule, "alert_id": alert.id},
            )
        else:
            retry_at = self.schedule.next_at(rounds, alert.fired_at, utcnow()) if rule is not None else None
            pending = [d.key for d in deliveries if d.error is not None]
            state = delivery_state(why, retry_at=retry_at, rounds=rounds, pending=pending)
            if retry_at is not None:
                report.retrying += 1
            else:
                report.failed += 1
                report.errors.append(f"{alert.id} ({alert.rule}): {why}")
                if not was_failed:
                    self.stats.given_up += 1
                    WEBHOOK_DELIVERIES.labels("failed").inc()
                    await self.give_up(
                        alert, f"notification failed: {why} (round {rounds}, past the horizon)"
                    )
        await self.es.update(index=self.index, id=hit["_id"], doc=state)


def retry_schedule(settings: Settings) -> RetrySchedule:
    """The settings' schedule of later rounds."""
    return RetrySchedule(
        settings.alert_retry_first_seconds,
        settings.alert_retry_longest_seconds,
        settings.alert_retry_horizon_hours * 3600,
    )


async def redeliver(
    settings: Settings,
    rulebook: RuleBook,
    stats: AlertStats,
    give_up: GiveUp,
    *,
    every_failed: bool = False,
    rule: str | None = None,
    since: datetime | None = None,
    owed_to: str | None = None,
) -> Report:
    """One round of :class:`Redeliverer` with its own clients (the worker's timer, the command).
    With ``owed_to`` (a receiver back), rounds follow one another while each finds a full page."""
    es = async_es_client(settings)
    session = aiohttp.ClientSession(trust_env=False)
    retry = RetryPolicy(cap=settings.webhook_backoff_max_seconds, attempts=settings.webhook_attempts)
    # a claim outlives the slowest round: every attempt timing out, every backoff at its cap
    lease = settings.webhook_attempts * (
        settings.webhook_timeout_seconds + settings.webhook_backoff_max_seconds
    )
    try:
        redeliverer = Redeliverer(
            es,
            settings.index_alias,
            Notifier(session, retry, settings.webhook_timeout_seconds, settings.webhook_per_host),
            partial(rulebook.rules, es),
            retry_schedule(settings),
            lease + 60,
            give_up,
            stats,
        )
        report = await redeliverer.run(every_failed=every_failed, rule=rule, since=since, owed_to=owed_to)
        last = report
        while owed_to is not None and last.due >= PAGE and last.delivered:
            last = await redeliverer.run(owed_to=owed_to)
            report.add(last)
        return report
    finally:
        await session.close()
        await es.close()


async def logged_round(
    settings: Settings, rulebook: RuleBook, stats: AlertStats, give_up: GiveUp, owed_to: str | None = None
) -> None:
    """One :func:`redeliver` round of the worker's, logged; a failure is logged and left to the next."""
    try:
        report = await redeliver(settings, rulebook, stats, give_up, owed_to=owed_to)
    except Exception as exc:  # Elasticsearch away: the next round tries again
        log.warning("could not send the notifications owed: %s", exc, extra={"stage": "notify"})
        return
    if report.due:
        what = "a receiver answers again: owed notifications sent" if owed_to else "notifications redelivered"
        log.info(what, extra={"stage": "notify", **report.as_dict()})


class OwedRounds:
    """Rounds for receivers that answer again (``NotifyStage.receiver_back``), in the background: what
    is owed to one goes now, not at its next round (each alert claimed first, so the leader's timer
    and these never both send it)."""

    def __init__(self, settings: Settings, rulebook: RuleBook, stats: AlertStats, give_up: GiveUp) -> None:
        self.settings = settings
        self.rulebook = rulebook
        self.stats = stats
        self.give_up = give_up
        self._running: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references

    def start(self, target: str) -> None:
        task = asyncio.ensure_future(
            logged_round(self.settings, self.rulebook, self.stats, self.give_up, owed_to=target)
        )
        self._running.add(task)
        task.add_done_callback(self._running.discard)
