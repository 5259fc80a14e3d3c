"""`wirestream search`: the query-string search journalists run in Kibana, from the terminal."""

from __future__ import annotations

from typing import Any

from pipeline.config import Settings
from pipeline.index.client import es_client


def search(
    settings: Settings,
    query: str,
    lang: str | None = None,
    site: str | None = None,
    kind: str | None = None,
    limit: int = 10,
) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [
        {"term": {field: value}} for field, value in (("lang", lang), ("site", site), ("kind", kind)) if value
    ]
    body: dict[str, Any] = {
        "query": {"bool": {"must": [{"query_string": {"query": query}}], "filter": filters}},
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
    es = es_client(settings)
    try:
        response = es.search(index=settings.index_alias, **body)
    finally:
        es.close()
    hits = []
    for hit in response["hits"]["hits"]:
        src = hit["_source"]
        highlight = hit.get("highlight", {})
        snippet = next(
            (v[0] for k, v in highlight.items() if k.startswith("text")), src.get("text", "")[:160]
        )
        hits.append({**src, "score": hit["_score"], "snippet": snippet})
    return hits
