"""The two cluster indices beside the stories.

* ``<alias>.cluster-members``: the cluster state, one document per clustered story (its cluster, its
  signatures, their LSH band keys). Shared by every worker and kept across restarts; a story found
  here keeps its cluster on a replay. Stories older than the age horizon are deleted from it, which
  closes their clusters and bounds its size.
* ``<alias>.clusters``: one document per cluster, for people: its title, size, sites, first and last
  time seen (``wirestream search`` and Kibana read it).

Why Elasticsearch and not a compacted topic or a faust table: a realtime ``GET`` and a refreshed
search see every worker's writes of the previous batch at once (a global table reaches the other
workers only when they have read its changelog), a table would hold every signature in every
worker's memory, and deleting by age is one request.
"""

from __future__ import annotations

from typing import Any

from pipeline.config import Settings
from pipeline.index.client import create_missing, es_client

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}
_STORED = {"type": "binary"}  # kept, never searched
_COUNT = {"type": "integer", "index": False}

MEMBER_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "_source": {"excludes": ["bands"]},  # searched, never read back
    "properties": {
        "cluster_id": _KEYWORD,
        "scheme": _KEYWORD,
        "lang": _KEYWORD,
        "site": _KEYWORD,
        "at": _DATE,
        "bands": {"type": "keyword", "doc_values": False},
        "body": _STORED,
        "lead": _STORED,
        "body_size": _COUNT,
        "lead_size": _COUNT,
        "words": _COUNT,
    },
}

CLUSTER_MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "cluster_id": _KEYWORD,
        "story_id": _KEYWORD,
        "kind": _KEYWORD,
        "title": {"type": "text", "fields": {"raw": {"type": "keyword", "ignore_above": 512}}},
        "lang": _KEYWORD,
        "size": {"type": "integer"},
        "sites": _KEYWORD,
        "site_count": {"type": "integer"},
        "stories": {"type": "keyword", "index": False, "doc_values": False},
        "first_seen_at": _DATE,
        "last_seen_at": _DATE,
    },
}

SETTINGS = {
    "number_of_shards": 1,
    "number_of_replicas": 0,
    "auto_expand_replicas": "0-1",
    "refresh_interval": "1s",
}
MEMBER_SETTINGS = {**SETTINGS, "codec": "best_compression"}


def members_index(alias: str) -> str:
    return f"{alias}.cluster-members"


def clusters_index(alias: str) -> str:
    return f"{alias}.clusters"


def ensure_cluster_indices(settings: Settings) -> None:
    """Create both indices when missing (idempotent, safe against a race)."""
    es = es_client(settings)
    try:
        create_missing(es, members_index(settings.index_alias), MEMBER_MAPPINGS, MEMBER_SETTINGS)
        create_missing(es, clusters_index(settings.index_alias), CLUSTER_MAPPINGS, SETTINGS)
    finally:
        es.close()
