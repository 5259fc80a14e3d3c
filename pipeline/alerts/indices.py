"""The two indices beside the stories: alert rules (``<alias>.rules``) and fired alerts
(``<alias>.alerts``, one document per (rule, cluster) fired, created with ``op_type=create``; it
counts the copies of the story that matched the rule, ``copies``)."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from pipeline.config import Settings
from pipeline.index.client import create_missing, es_client

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
ALERT_FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "keyword"},
    "rule": {"type": "keyword"},
    "owner": {"type": "keyword"},
    "story_id": {"type": "keyword"},
    "cluster_id": {"type": "keyword"},
    "copies": {"type": "integer"},
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
    "delivery_rounds": {"type": "integer"},
    "retry_at": {"type": "date"},
    "pending_targets": {"type": "keyword"},
}
ALERTS_MAPPINGS = {"dynamic": False, "properties": ALERT_FIELDS}


def rules_index(alias: str) -> str:
    """``<alias>.rules``: outside the stories' ``<alias>-*`` template, beside them."""
    return f"{alias}.rules"


def alerts_index(alias: str) -> str:
    """``<alias>.alerts``: one document per (rule, story) fired."""
    return f"{alias}.alerts"


#: Both are small: one shard (the rules' change check reads the highest sequence number).
INDEX_SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0, "auto_expand_replicas": "0-1"}


def ensure_alert_indices(settings: Settings) -> None:
    """Create the rules and alerts indices when missing (idempotent, safe against a race)."""
    es = es_client(settings)
    try:
        create_missing(es, rules_index(settings.index_alias), RULES_MAPPINGS, INDEX_SETTINGS)
        alerts = alerts_index(settings.index_alias)
        if not create_missing(es, alerts, ALERTS_MAPPINGS, INDEX_SETTINGS) and _missing_fields(es, alerts):
            # fields added since it was made (only then: a worker's or a journalist's key may read
            # mappings but not change them; init, which may, runs this first after an upgrade)
            es.indices.put_mapping(index=alerts, properties=ALERT_FIELDS)
    finally:
        es.close()


def _missing_fields(es: Elasticsearch, index: str) -> bool:
    mappings: dict[str, Any] = dict(es.indices.get_mapping(index=index))
    first: dict[str, Any] = next(iter(mappings.values()), {})
    known = first.get("mappings", {}).get("properties", {})
    return any(name not in known for name in ALERT_FIELDS)
