"""Fired alerts and their delivery, in ``<alias>.alerts``: each (rule, cluster) is written once,
under its id, with ``op_type=create``. Only alerts created now, or created earlier by the same story
but whose notifications never ended (a worker stopped in between), are handed on: a replay fires
nothing new, the notify stage skips an alert whose delivery is already recorded, and a copy of the
story from another site only adds one to the alert's ``copies``."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from pipeline.alerts.indices import alerts_index
from pipeline.alerts.stats import AlertStats
from pipeline.errors import TransientError
from pipeline.index.merge import Change, merge
from pipeline.index.triage import Outcome, classify, reason
from pipeline.messages import Alert, utcnow

log = logging.getLogger("pipeline.alerts")


@dataclass(frozen=True)
class RetrySchedule:
    """When a notification that failed all its immediate attempts is tried again: ``first`` seconds
    later, the wait doubling each round up to ``longest``, until ``horizon`` seconds after the alert
    fired; past that it is given up (marked failed and dead-lettered)."""

    first: float = 30.0
    longest: float = 3600.0
    horizon: float = 86400.0

    def next_at(self, rounds: int, fired_at: datetime, now: datetime) -> datetime | None:
        """The next round after ``rounds`` failed ones; None when it would fall past the horizon."""
        wait = min(self.longest, self.first * 2 ** min(max(rounds, 1) - 1, 30))
        at = now + timedelta(seconds=wait)
        return at if at <= fired_at + timedelta(seconds=self.horizon) else None


def target_key(url: str) -> str:
    """A webhook target's name in the ledger (its URL may carry a token: never stored)."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def delivery_state(
    error: str | None,
    *,
    retry_at: datetime | None = None,
    rounds: int = 1,
    pending: Sequence[str] = (),
) -> dict[str, Any]:
    """The fields an alert's document gets once a round of notifications ends: delivered; retrying
    (at ``retry_at``, to the ``pending`` targets); or failed for good."""
    state: dict[str, Any] = {
        "delivery": "delivered" if error is None else "retrying" if retry_at else "failed",
        "delivery_at": utcnow().isoformat(),
        "delivery_rounds": rounds,
        "retry_at": retry_at.isoformat() if retry_at else None,
        "pending_targets": list(pending) if error is not None else [],
    }
    if error is not None:
        state["delivery_error"] = error
    return state


#: An alert's document lists at most this many story ids of the copies that matched.
COPIES_LISTED = 1000


def counted(copies: Sequence[Alert]) -> Change:
    """The change that adds these stories to an alert's copies (each story once)."""

    def change(alert_id: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
        if current is None:  # not recorded (yet): nothing to count on
            return None
        listed = list(current.get("copy_ids") or [current["story_id"]])
        count = int(current.get("copies") or len(listed))
        for alert in copies:
            if alert.story_id not in listed:
                count += 1
                if len(listed) < COPIES_LISTED:
                    listed.append(alert.story_id)
        if count == current.get("copies"):
            return None
        return {**current, "copies": count, "copy_ids": listed}

    return change


def _copies(alert: Alert) -> dict[str, Any]:
    return {"copies": 1, "copy_ids": [alert.story_id]}


class AlertLedger:
    def __init__(self, es: AsyncElasticsearch, alias: str, stats: AlertStats) -> None:
        self.es = es
        self.index = alerts_index(alias)
        self.stats = stats

    async def record(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Write each alert under its (rule, cluster) id unless it is there; return the ones to send.
        Another story of the same cluster (in this batch or earlier) is counted as a copy."""
        if not alerts:
            return []
        first: dict[str, Alert] = {}
        copies: list[Alert] = []
        for alert in alerts:
            if alert.id in first:
                copies.append(alert)
            else:
                first[alert.id] = alert
        operations: list[dict[str, Any]] = []
        for alert in first.values():
            operations += [
                {"create": {"_index": self.index, "_id": alert.id}},
                {**alert.model_dump(mode="json", exclude={"schema_version"}), **_copies(alert)},
            ]
        answer = await self.es.bulk(operations=operations, refresh=False)
        fresh: list[Alert] = []
        existing: list[Alert] = []
        for alert, item in zip(first.values(), answer["items"], strict=True):
            result = item["create"]
            status = int(result.get("status", 0))
            if 200 <= status < 300:
                fresh.append(alert)
            elif status == 409:
                existing.append(alert)
            elif classify(status, result.get("error")) is Outcome.RETRY:
                raise TransientError(reason(result.get("error")))
            else:
                raise RuntimeError(f"alert {alert.id} could not be recorded: {reason(result.get('error'))}")
        replayed, other_copies = await self._fired_by(existing)
        unsent = await self.undelivered(replayed)
        await self._count(copies + other_copies)
        self.stats.fired += len(fresh) + len(unsent)
        self.stats.already_fired += len(replayed) - len(unsent)
        self.stats.copies += len(copies) + len(other_copies)
        return fresh + unsent

    async def _fired_by(self, alerts: Sequence[Alert]) -> tuple[list[Alert], list[Alert]]:
        """Alerts already recorded: those the same story fired (a replay), and copies (another story
        of the cluster fired it)."""
        if not alerts:
            return [], []
        found = await self.es.mget(index=self.index, ids=[a.id for a in alerts], source_includes=["story_id"])
        by = {doc["_id"]: doc["_source"].get("story_id") for doc in found["docs"] if doc.get("found")}
        same = [a for a in alerts if by.get(a.id, a.story_id) == a.story_id]
        return same, [a for a in alerts if by.get(a.id, a.story_id) != a.story_id]

    async def _count(self, copies: Sequence[Alert]) -> None:
        """One more copy on each alert's document, once per story (replays count nobody twice)."""
        by_alert: dict[str, list[Alert]] = {}
        for alert in copies:
            by_alert.setdefault(alert.id, []).append(alert)
        try:
            await merge(self.es, self.index, {i: counted(group) for i, group in by_alert.items()})
        except Exception as exc:  # a count for people to read; the alerts themselves are safe
            log.warning("could not count %d copies: %s", len(copies), exc, extra={"stage": "alerts"})

    async def undelivered(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Of these alerts, those whose notifications have not been attempted to the end (a replay
        of the alerts topic, e.g. by a new consumer group, notifies nobody twice)."""
        if not alerts:
            return []
        found = await self.es.mget(
            index=self.index, ids=[alert.id for alert in alerts], source_includes=["delivery"]
        )
        done = {doc["_id"] for doc in found["docs"] if doc.get("found") and doc["_source"].get("delivery")}
        return [alert for alert in alerts if alert.id not in done]

    async def mark(self, updates: Sequence[tuple[Alert, dict[str, Any]]]) -> None:
        """Update alerts' documents (their delivery) in one request; best effort, logged."""
        if not updates:
            return
        operations: list[dict[str, Any]] = []
        for alert, fields in updates:
            operations += [{"update": {"_index": self.index, "_id": alert.id}}, {"doc": fields}]
        try:
            answer = await self.es.bulk(operations=operations, refresh=False)
            if answer.get("errors"):
                log.warning("could not mark %d alerts", len(updates), extra={"stage": "alerts"})
        except Exception as exc:  # state for people to read; the alerts themselves are safe
            log.warning("could not mark %d alerts: %s", len(updates), exc, extra={"stage": "alerts"})
