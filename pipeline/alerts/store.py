"""Alert rules in Elasticsearch (their own index beside the stories), and running them.

Elasticsearch's runnable zip has no percolator module (and no 8.x percolator jar is published), so
rules are stored as documents and run as the very searches they are: a new batch of stories is
matched with one ``_msearch`` holding each rule's search, limited to the batch's ids.
"""

from __future__ import annotations

from typing import Any

from pipeline.alerts.rules import Rule
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import es_client
from pipeline.search import hit_summary

_MAPPINGS = {
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


def rules_index(settings: Settings) -> str:
    """``<alias>.rules``: outside the stories' ``<alias>-*`` template, beside them."""
    return f"{settings.index_alias}.rules"


def _client(settings: Settings) -> Any:
    return es_client(settings)


def check_query(settings: Settings, rule: Rule) -> None:
    """Refuse a rule whose query does not parse, with the parser's message."""
    es = _client(settings)
    try:
        answer = es.indices.validate_query(
            index=settings.index_alias, query=rule.search()["query"], explain=True
        )
    finally:
        es.close()
    if not answer.get("valid", False):
        reasons = [e.get("error", "") for e in answer.get("explanations", []) if not e.get("valid", True)]
        raise UserError(f"rule {rule.name!r}: the query does not parse: {'; '.join(reasons) or answer}")


def add_rule(settings: Settings, rule: Rule) -> None:
    check_query(settings, rule)
    es = _client(settings)
    try:
        if not es.indices.exists(index=rules_index(settings)):
            es.indices.create(index=rules_index(settings), mappings=_MAPPINGS)
        es.index(
            index=rules_index(settings), id=rule.name, document=rule.model_dump(mode="json"), refresh=True
        )
    finally:
        es.close()


def list_rules(settings: Settings) -> list[Rule]:
    es = _client(settings)
    try:
        if not es.indices.exists(index=rules_index(settings)):
            return []
        found = es.search(index=rules_index(settings), size=10_000, sort=["name"])
    finally:
        es.close()
    return [Rule.model_validate(hit["_source"]) for hit in found["hits"]["hits"]]


def get_rule(settings: Settings, name: str) -> Rule:
    rules = {rule.name: rule for rule in list_rules(settings)}
    if name not in rules:
        raise UserError(f"no rule named {name!r}")
    return rules[name]


def remove_rule(settings: Settings, name: str) -> None:
    get_rule(settings, name)
    es = _client(settings)
    try:
        es.delete(index=rules_index(settings), id=name, refresh=True)
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


def match_batch(settings: Settings, rules: list[Rule], ids: list[str]) -> list[tuple[Rule, dict[str, Any]]]:
    """(rule, story hit) for every rule that matches one of the stories ``ids``, in one request."""
    if not rules or not ids:
        return []
    searches: list[dict[str, Any]] = []
    for rule in rules:
        searches += [{"index": settings.index_alias}, rule.search(ids=ids, limit=len(ids))]
    es = _client(settings)
    try:
        answer = es.msearch(searches=searches)
    finally:
        es.close()
    matches = []
    for rule, response in zip(rules, answer["responses"], strict=True):
        if "error" in response:
            raise RuntimeError(f"rule {rule.name!r} failed: {response['error']}")
        matches += [(rule, hit_summary(hit)) for hit in response["hits"]["hits"]]
    return matches
