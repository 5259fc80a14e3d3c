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

from pydantic import ValidationError

from pipeline.alerts.rules import Rule
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import es_client
from pipeline.messages import Alert
from pipeline.search import hit_summary

RULES_MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "name": {"type": "keyword"},
        "query": {"type": "text", "index": False},
        "languages": {"type": "keyword"},
        "sites": {"type": "keyword"},
        "kinds": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "targets": {"type": "object", "enabled": False},
        "created_at": {"type": "date"},
    },
}

#: Fired alerts: the Alert message's fields, plus where its notifications stand.
ALERTS_MAPPINGS = {
    "dynamic": False,
    "properties": {
        "id": {"type": "keyword"},
        "rule": {"type": "keyword"},
        "owner": {"type": "keyword"},
        "story_id": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "title": {"type": "text"},
        "url": {"type": "keyword"},
        "site": {"type": "keyword"},
        "lang": {"type": "keyword"},
        "first_seen_at": {"type": "date"},
        "fired_at": {"type": "date"},
        "delivery": {"type": "keyword"},
        "delivery_error": {"type": "text", "index": False},
        "delivery_at": {"type": "date"},
    },
}


log = logging.getLogger(__name__)


def rules_index(alias: str) -> str:
    """``<alias>.rules``: outside the stories' ``<alias>-*`` template, beside them."""
    return f"{alias}.rules"


def alerts_index(alias: str) -> str:
    """``<alias>.alerts``: one document per (rule, story) fired."""
    return f"{alias}.alerts"


#: Both are small: one shard (the rules' change check reads the highest sequence number).
INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": "0-1"}


def _client(settings: Settings) -> Any:
    return es_client(settings)


def ensure_alert_indices(settings: Settings) -> None:
    """Create the rules and alerts indices when missing (idempotent, safe against a race)."""
    from elasticsearch import BadRequestError

    es = _client(settings)
    try:
        for index, mappings in (
            (rules_index(settings.index_alias), RULES_MAPPINGS),
            (alerts_index(settings.index_alias), ALERTS_MAPPINGS),
        ):
            if es.indices.exists(index=index):
                continue
            try:
                es.indices.create(index=index, mappings=mappings, settings=INDEX_SETTINGS)
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise
    finally:
        es.close()


def check_query(settings: Settings, rule: Rule) -> None:
    """Refuse a rule whose query does not parse, with the parser's message."""
    es = _client(settings)
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
    es = _client(settings)
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
    es = _client(settings)
    try:
        if not es.indices.exists(index=rules_index(settings.index_alias)):
            return []
        found = es.search(index=rules_index(settings.index_alias), size=10_000, sort=["name"])
    finally:
        es.close()
    rules = []
    for hit in found["hits"]["hits"]:
        try:
            rules.append(Rule.model_validate(hit["_source"]))
        except ValidationError as exc:  # written around `alerts add`; the worker skips it too
            log.warning("rule %r is not a valid rule (%s); skipped", hit["_id"], exc.errors()[0]["msg"])
    return rules


def get_rule(settings: Settings, name: str) -> Rule:
    rules = {rule.name: rule for rule in list_rules(settings)}
    if name not in rules:
        raise UserError(f"no rule named {name!r}")
    return rules[name]


def remove_rule(settings: Settings, name: str) -> None:
    get_rule(settings, name)
    es = _client(settings)
    try:
        es.delete(index=rules_index(settings.index_alias), id=name, refresh=True)
    finally:
        es.close()


def dry_run(settings: Settings, rule: Rule, limit: int = 20) -> list[dict[str, Any]]:
    """What the rule would have fired on among the stories already indexed."""
    es = _client(settings)
    try:
        answer = es.search(index=settings.index_alias, **rule.search(limit=limit))
    finally:
        es.close()
    return [hit_summary(hit) for hit in answer["hits"]["hits"]]


def match_batch(
    settings: Settings, rules: list[Rule], ids: list[str], languages: list[str] | None = None
) -> list[Alert]:
    """The alerts ``rules`` fire on the stories ``ids`` (nothing recorded or sent): what the
    worker's alert stage does for each batch."""
    from pipeline.alerts.stage import AlertStage, AlertStats
    from pipeline.index.client import async_es_client

    async def run() -> list[Alert]:
        es = async_es_client(settings)
        try:
            return await AlertStage(es, settings.index_alias, AlertStats()).match(ids, rules, languages)
        finally:
            await es.close()

    return asyncio.run(run())


def fired_count(settings: Settings) -> int:
    es = _client(settings)
    try:
        es.indices.refresh(index=alerts_index(settings.index_alias))
        return int(es.count(index=alerts_index(settings.index_alias))["count"])
    finally:
        es.close()


def fired(settings: Settings, rule: str | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest alerts fired (optionally of one rule), newest first, with their delivery state."""
    es = _client(settings)
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
