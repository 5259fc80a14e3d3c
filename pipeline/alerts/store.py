"""Alert rules and fired alerts in Elasticsearch (two indices beside the stories), for the commands.

Elasticsearch's runnable zip has no percolator module (and no 8.x percolator jar is published), so
rules are stored as documents and run as the very searches they are: a new batch of stories is
matched with one ``_msearch`` holding each rule's search, limited to the batch's ids (firing.py).
Each alert fired is a document whose id is a hash of (rule, story), created with ``op_type=create``:
a (rule, story) pair fires once, also when a page is replayed or a worker restarts.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from pipeline.alerts.indices import alerts_index, ensure_alert_indices, rules_index
from pipeline.alerts.matcher import Matcher
from pipeline.alerts.rulebook import next_after, parse_rules, rules_page
from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import async_es_client, es_client
from pipeline.messages import Alert
from pipeline.search import hit_summary

log = logging.getLogger(__name__)


def check_query(settings: Settings, rule: Rule) -> None:
    """Refuse a rule whose query does not parse, with the parser's message."""
    es = es_client(settings)
    try:
        _check(es, settings, rule)
    finally:
        es.close()


def _check(es: Any, settings: Settings, rule: Rule) -> None:
    answer = es.indices.validate_query(index=settings.index_alias, query=rule.search()["query"], explain=True)
    if not answer.get("valid", False):
        reasons = [e.get("error", "") for e in answer.get("explanations", []) if not e.get("valid", True)]
        raise UserError(f"rule {rule.name!r}: the query does not parse: {'; '.join(reasons) or answer}")


def add_rule(settings: Settings, rule: Rule) -> None:
    """Add or replace one rule (checked by the query parser first)."""
    add_rules(settings, [rule])


def add_rules(settings: Settings, rules: list[Rule]) -> None:
    """Add or replace rules; all are checked before any is written."""
    ensure_alert_indices(settings)
    es = es_client(settings)
    try:
        for rule in rules:
            _check(es, settings, rule)
        operations: list[dict[str, Any]] = []
        for rule in rules:
            operations += [{"index": {"_id": rule.name}}, rule.model_dump(mode="json")]
        for start in range(0, len(operations), 1000):
            answer = es.bulk(
                index=rules_index(settings.index_alias),
                operations=operations[start : start + 1000],
                refresh=True,
            )
            if answer.get("errors"):
                raise RuntimeError(f"rules not saved: {answer['items'][:3]}")
    finally:
        es.close()


def list_rules(settings: Settings) -> list[Rule]:
    es = es_client(settings)
    try:
        if not es.indices.exists(index=rules_index(settings.index_alias)):
            return []
        hits: list[dict[str, Any]] = []
        after: list[Any] | None = None
        while True:
            page = es.search(**rules_page(rules_index(settings.index_alias), after))["hits"]["hits"]
            hits += page
            if (after := next_after(page)) is None:
                break
    finally:
        es.close()
    rules, problems = parse_rules(hits)
    for problem in problems:  # the worker skips them too
        log.warning("%s; skipped", problem)
    return rules


def get_rule(settings: Settings, name: str) -> Rule:
    rules = {rule.name: rule for rule in list_rules(settings)}
    if name not in rules:
        raise UserError(f"no rule named {name!r}")
    return rules[name]


def remove_rule(settings: Settings, name: str) -> None:
    get_rule(settings, name)
    es = es_client(settings)
    try:
        es.delete(index=rules_index(settings.index_alias), id=name, refresh=True)
    finally:
        es.close()


def dry_run(settings: Settings, rule: Rule, limit: int = 20) -> list[dict[str, Any]]:
    """What the rule would have fired on among the stories already indexed."""
    es = es_client(settings)
    try:
        answer = es.search(index=settings.index_alias, **rule.search(limit=limit))
    finally:
        es.close()
    return [hit_summary(hit) for hit in answer["hits"]["hits"]]


def match_batch(
    settings: Settings,
    rules: list[Rule],
    ids: list[str],
    languages: list[str] | None = None,
    presearch: bool = True,
) -> list[Alert]:
    """The alerts ``rules`` fire on the stories ``ids`` (nothing recorded or sent): what the
    worker's alert stage does for each batch (``presearch``: only the rules that can match run)."""

    async def run() -> list[Alert]:
        es = async_es_client(settings)
        try:
            matcher = Matcher(es, settings.index_alias, AlertStats(), presearch)
            return await matcher.match(ids, rules, languages)
        finally:
            await es.close()

    return asyncio.run(run())


def fired_count(settings: Settings) -> int:
    es = es_client(settings)
    try:
        es.indices.refresh(index=alerts_index(settings.index_alias))
        return int(es.count(index=alerts_index(settings.index_alias))["count"])
    finally:
        es.close()


def fired(settings: Settings, rule: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest alerts fired (optionally of one rule), newest first, with their delivery state."""
    es = es_client(settings)
    try:
        if not es.indices.exists(index=alerts_index(settings.index_alias)):
            return []
        answer = es.search(
            index=alerts_index(settings.index_alias),
            query={"term": {"rule": rule}} if rule else {"match_all": {}},
            sort=[{"fired_at": "desc"}],
            size=limit,
        )
    finally:
        es.close()
    return [hit["_source"] for hit in answer["hits"]["hits"]]
