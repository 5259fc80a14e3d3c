"""The worker's alert stage against Elasticsearch (async adapter over firing.py).

For each group of freshly indexed stories: make them searchable (``_refresh``), run every rule over
them in one ``_msearch``, and record each alert in ``<alias>.alerts`` with ``op_type=create`` under
its (rule, story) id. Only alerts that were created now, or created earlier but whose notifications
never ended (a worker stopped in between), are returned to be sent: a replay fires nothing new, and
the notify stage skips an alert whose delivery is already recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from elasticsearch import AsyncElasticsearch
from pydantic import ValidationError

from pipeline.alerts.firing import (
    build_alert,
    find_body,
    msearch_body,
    read_find,
    read_msearch,
    worth_running,
)
from pipeline.alerts.rules import Rule
from pipeline.alerts.store import alerts_index, rules_index
from pipeline.index.template import fields_for
from pipeline.index.triage import Outcome, classify, reason
from pipeline.messages import Alert, utcnow

log = logging.getLogger("pipeline.alerts")


class TransientAlertError(RuntimeError):
    """Elasticsearch could not take part of the work now (429, 5xx): try the batch again later."""


@dataclass
class AlertStats:
    """Counters shown on the worker's /health/ page and in its logs."""

    batches: int = 0
    stories: int = 0
    fired: int = 0
    already_fired: int = 0
    rule_errors: int = 0
    delivered: int = 0
    delivery_failures: int = 0  # failed attempts, retried or not
    given_up: int = 0  # notifications that failed every attempt (dead-lettered)
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AlertStage:
    def __init__(self, es: AsyncElasticsearch, alias: str, stats: AlertStats) -> None:
        self.es = es
        self.alias = alias
        self.rules_index = rules_index(alias)
        self.alerts_index = alerts_index(alias)
        self.stats = stats
        self._rules: list[Rule] = []
        self._rules_version: tuple[int, int, int] | None = None

    async def rules(self) -> list[Rule]:
        """The current rules; reloaded only when the rules index changed (one small request)."""
        probe = await self.es.search(
            index=self.rules_index,
            size=1,
            sort=[{"_seq_no": "desc"}],
            seq_no_primary_term=True,
            track_total_hits=True,
            source=False,
            ignore_unavailable=True,
        )
        top = probe["hits"]["hits"]
        # Any add or update raises the highest sequence number; a delete lowers the count.
        version = (
            int(probe["hits"]["total"]["value"]),
            int(top[0]["_seq_no"]) if top else -1,
            int(top[0]["_primary_term"]) if top else -1,
        )
        if version != self._rules_version:
            if version[0] == 0:
                self._rules = []
            else:
                found = await self.es.search(index=self.rules_index, size=10_000, sort=["name"])
                self._rules = []
                for hit in found["hits"]["hits"]:
                    try:
                        self._rules.append(Rule.model_validate(hit["_source"]))
                    except ValidationError as exc:  # written around `alerts add`: skip it, say so
                        self.stats.rule_errors += 1
                        self.stats.last_error = (
                            f"rule {hit['_id']!r} is not a valid rule: {exc.errors()[0]['msg']}"
                        )
                        log.warning("%s; skipped", self.stats.last_error, extra={"stage": "alerts"})
            self._rules_version = version
            log.info("loaded %d alert rules", len(self._rules), extra={"stage": "alerts"})
        return self._rules

    def rule(self, name: str) -> Rule | None:
        """A rule from the last load (the notifier's view of targets)."""
        return next((rule for rule in self._rules if rule.name == name), None)

    async def match(
        self, ids: Sequence[str], rules: Sequence[Rule] | None = None, languages: Sequence[str] | None = None
    ) -> list[Alert]:
        """Every (rule, story) match among ``ids`` (stories in ``languages``, when known): two
        searches (see firing.py)."""
        rules = worth_running(await self.rules() if rules is None else rules, languages)
        self.stats.batches += 1
        self.stats.stories += len(ids)
        if not rules or not ids:
            return []
        await self.es.indices.refresh(index=self.alias)  # what was just indexed must be searchable
        fields = fields_for(languages) if languages else None
        found = await self.es.msearch(searches=find_body(rules, ids, self.alias, fields))
        todo = read_find(rules, ids, dict(found))
        if not todo:
            return []
        searches: list[dict[str, Any]] = []
        for group, matched in todo:
            searches += msearch_body(group, matched, self.alias, fields)
        answer = await self.es.msearch(searches=searches)
        matches = read_msearch([rule for group, _ in todo for rule in group], dict(answer))
        for rule, error in matches.errors:
            self.stats.rule_errors += 1
            self.stats.last_error = f"rule {rule.name!r}: {error}"
            log.warning("alert rule %r failed: %s", rule.name, error, extra={"stage": "alerts"})
        hits = matches.hits
        return [build_alert(rule, hit) for rule, hit in hits]

    async def record(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Write each alert under its (rule, story) id unless it is there; return the ones to send."""
        if not alerts:
            return []
        operations: list[dict[str, Any]] = []
        for alert in alerts:
            operations += [
                {"create": {"_index": self.alerts_index, "_id": alert.id}},
                alert.model_dump(mode="json", exclude={"schema_version"}),
            ]
        answer = await self.es.bulk(operations=operations, refresh=False)
        fresh: list[Alert] = []
        existing: list[Alert] = []
        for alert, item in zip(alerts, answer["items"], strict=True):
            result = item["create"]
            status = int(result.get("status", 0))
            if 200 <= status < 300:
                fresh.append(alert)
            elif status == 409:
                existing.append(alert)
            elif classify(status, result.get("error")) is Outcome.RETRY:
                raise TransientAlertError(reason(result.get("error")))
            else:
                raise RuntimeError(f"alert {alert.id} could not be recorded: {reason(result.get('error'))}")
        unsent = await self.undelivered(existing)
        self.stats.fired += len(fresh) + len(unsent)
        self.stats.already_fired += len(existing) - len(unsent)
        return fresh + unsent

    async def undelivered(self, alerts: Sequence[Alert]) -> list[Alert]:
        """Of these alerts, those whose notifications have not been attempted to the end (a replay
        of the alerts topic, e.g. by a new consumer group, notifies nobody twice)."""
        if not alerts:
            return []
        found = await self.es.mget(
            index=self.alerts_index, ids=[alert.id for alert in alerts], source_includes=["delivery"]
        )
        done = {doc["_id"] for doc in found["docs"] if doc.get("found") and doc["_source"].get("delivery")}
        return [alert for alert in alerts if alert.id not in done]

    async def mark(self, updates: Sequence[tuple[Alert, dict[str, Any]]]) -> None:
        """Update alerts' documents (their delivery) in one request; best effort, logged."""
        if not updates:
            return
        operations: list[dict[str, Any]] = []
        for alert, fields in updates:
            operations += [{"update": {"_index": self.alerts_index, "_id": alert.id}}, {"doc": fields}]
        try:
            answer = await self.es.bulk(operations=operations, refresh=False)
            if answer.get("errors"):
                log.warning("could not mark %d alerts", len(updates), extra={"stage": "alerts"})
        except Exception as exc:  # state for people to read; the alerts themselves are safe
            log.warning("could not mark %d alerts: %s", len(updates), exc, extra={"stage": "alerts"})


def delivery_state(error: str | None) -> dict[str, Any]:
    """The fields an alert's document gets once its notifications are done."""
    state: dict[str, Any] = {
        "delivery": "delivered" if error is None else "failed",
        "delivery_at": utcnow().isoformat(),
    }
    if error is not None:
        state["delivery_error"] = error
    return state
