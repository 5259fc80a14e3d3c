"""`wirestream search`: the query-string search journalists run in Kibana, from the terminal."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch, NotFoundError

from pipeline.cluster.indices import clusters_index
from pipeline.config import Settings
from pipeline.index.client import es_client


def search_body(
    query: str,
    filters: dict[str, list[str]] | None = None,
    limit: int = 10,
    ids: list[str] | None = None,
    fields: list[str] | None = None,
) -> dict[str, Any]:
    """The search a journalist runs (Kibana's Lucene syntax over every text field, highlighted),
    optionally limited to some values of the filter fields and to some story ids. Alert rules run
    exactly this, so a rule fires for what the same search returns. ``fields`` narrows the default
    fields (see :func:`pipeline.index.template.fields_for`)."""
    clauses: list[dict[str, Any]] = [
        {"terms": {field: values}} for field, values in (filters or {}).items() if values
    ]
    search: dict[str, Any] = {
        "bool": {"must": [{"query_string": {"query": query, **_fields(fields)}}], "filter": clauses}
    }
    if ids is not None:
        # The ids first: in segments without those stories, the search stops before the rest.
        search = {"bool": {"must": [{"ids": {"values": ids}}, search]}}
    return {
        "query": search,
        "highlight": {
            "fields": {
                "text*": {"fragment_size": 160, "number_of_fragments": 1},
                "title*": {"number_of_fragments": 0},
            },
            "pre_tags": ["«"],
            "post_tags": ["»"],
            "require_field_match": False,
        },
        "_source": {"excludes": ["text_*", "title_*"]},
        "size": limit,
        "sort": ["_score", {"first_seen_at": "desc"}],
    }


def _fields(fields: list[str] | None) -> dict[str, Any]:
    return {"fields": fields} if fields is not None else {}


def search(
    settings: Settings,
    query: str,
    lang: str | None = None,
    site: str | None = None,
    kind: str | None = None,
    limit: int = 10,
    every_copy: bool = False,
) -> list[dict[str, Any]]:
    """The best matching stories, one per cluster (the best matching copy, with ``cluster``: its
    size, sites and first-seen time), or every copy (``every_copy``)."""
    filters = {field: [value] for field, value in (("lang", lang), ("site", site), ("kind", kind)) if value}
    body = search_body(query, filters, limit)
    if not every_copy:
        body["collapse"] = {"field": "cluster_id"}
    es = es_client(settings)
    try:
        response = es.search(index=settings.index_alias, **body)
        hits = [hit_summary(hit) for hit in response["hits"]["hits"]]
        if not every_copy:
            clusters = _clusters(
                es, settings.index_alias, [hit.get("cluster_id") or hit["id"] for hit in hits]
            )
            for hit in hits:
                hit["cluster"] = clusters.get(hit.get("cluster_id") or hit["id"])
    finally:
        es.close()
    return hits


def _clusters(es: Elasticsearch, alias: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Size, sites and first-seen time of these clusters (those the cluster index has)."""
    if not ids:
        return {}
    try:
        found = es.mget(
            index=clusters_index(alias),
            ids=list(dict.fromkeys(ids)),
            source_includes=["size", "sites", "site_count", "first_seen_at", "last_seen_at"],
        )
    except NotFoundError:  # clustering never ran here
        return {}
    return {doc["_id"]: doc["_source"] for doc in found["docs"] if doc.get("found")}


def hit_summary(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit's story fields, score and best highlighted snippet."""
    src = hit["_source"]
    highlight = hit.get("highlight", {})
    snippet = next((v[0] for k, v in highlight.items() if k.startswith("text")), src.get("text", "")[:160])
    return {**src, "score": hit["_score"], "snippet": snippet, "highlight": highlight}
