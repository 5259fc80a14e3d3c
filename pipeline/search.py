"""`wirestream search`: the query-string search journalists run in Kibana, from the terminal."""

from __future__ import annotations

from typing import Any

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
) -> list[dict[str, Any]]:
    filters = {field: [value] for field, value in (("lang", lang), ("site", site), ("kind", kind)) if value}
    body = search_body(query, filters, limit)
    es = es_client(settings)
    try:
        response = es.search(index=settings.index_alias, **body)
    finally:
        es.close()
    return [hit_summary(hit) for hit in response["hits"]["hits"]]


def hit_summary(hit: dict[str, Any]) -> dict[str, Any]:
    """A hit's story fields, score and best highlighted snippet."""
    src = hit["_source"]
    highlight = hit.get("highlight", {})
    snippet = next((v[0] for k, v in highlight.items() if k.startswith("text")), src.get("text", "")[:160])
    return {**src, "score": hit["_score"], "snippet": snippet, "highlight": highlight}
