"""Kibana for journalists: saved objects and an example alert rule, generated from the index template
so that every field they use exists (``deploy/kibana/``, `wirestream kibana export|import`).

- a data view on the stories alias with ``first_seen_at`` as its time field;
- saved searches per language and per story kind (Lucene syntax, as journalists type it);
- a dashboard: a table of stories per language and site over the last 24 hours, and stories over
  time per site and per language (the split by site or language is taken over the whole time range,
  with an "Other" bucket, so small languages are not dropped bucket by bucket);
- story clusters: a saved search "Stories, one per cluster" on the clusters index (title, size,
  sites), and a table of the largest clusters of the last 24 hours (copies and sites per cluster);
- an example "Elasticsearch query" rule that fires when a keyword appears in new stories;
- a data view on the fired alerts (``<alias>.alerts``, time field ``fired_at``) with saved searches
  "Alerts fired" and "Alert notifications that failed", for the desks that own the rules.

Kibana does not run on the development machines: tests check these files statically.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.alerts.indices import alerts_index
from pipeline.cluster.indices import clusters_index
from pipeline.index.template import LANGUAGE_ANALYZERS, TIME_FIELD

#: Relative to the working directory: run from a checkout's root, it is the committed deploy/kibana/.
DEFAULT_DIR = Path("deploy") / "kibana"
DATA_VIEW_ID = "wirestream-stories"
ALERTS_VIEW_ID = "wirestream-alerts"
ALERTS_TIME_FIELD = "fired_at"
DASHBOARD_ID = "wirestream-overview"
TABLE_ID = "wirestream-per-lang-site-24h"
CLUSTERS_VIEW_ID = "wirestream-clusters"
CLUSTERS_TIME_FIELD = "last_seen_at"
LARGEST_ID = "wirestream-largest-clusters-24h"
#: Rows of the largest clusters' table.
LARGEST_CLUSTERS = 20
#: Languages with a saved search: every language the index analyses, and the regional ones the
#: detector names that Elasticsearch has no analyser for.
SEARCH_LANGUAGES = sorted(
    (set(LANGUAGE_ANALYZERS) - {"nb"}) | {"az", "kmr", "ur", "ps", "he", "uk", "pl", "sw"}
)
KINDS = ("article", "teaser")
_INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"
_VERSION = {"coreMigrationVersion": "8.8.0"}


def _search_source(query: str) -> dict[str, Any]:
    source = {"query": {"query": query, "language": "lucene"}, "filter": [], "indexRefName": _INDEX_REF}
    return {"searchSourceJSON": json.dumps(source, sort_keys=True)}


def _data_view(view_id: str, pattern: str, name: str, time_field: str) -> dict[str, Any]:
    return {
        "type": "index-pattern",
        "id": view_id,
        "attributes": {"title": pattern, "name": name, "timeFieldName": time_field},
        "references": [],
        **_VERSION,
        "typeMigrationVersion": "8.0.0",
    }


def _saved_search(
    object_id: str,
    title: str,
    query: str,
    view: tuple[str, str] = (DATA_VIEW_ID, TIME_FIELD),
    columns: tuple[str, ...] = ("title", "site", "kind", "lang", "url"),
    what: str = "Stories",
) -> dict[str, Any]:
    view_id, time_field = view
    return {
        "type": "search",
        "id": object_id,
        "attributes": {
            "title": title,
            "description": f"{what} where {query}" if query else what,
            "columns": list(columns),
            "sort": [[time_field, "desc"]],
            "kibanaSavedObjectMeta": _search_source(query),
        },
        "references": [{"name": _INDEX_REF, "type": "index-pattern", "id": view_id}],
        **_VERSION,
        "typeMigrationVersion": "10.5.0",
    }


#: Series per chart; the rest are summed into "Other", so the 45-odd languages all count.
SPLIT_SIZE = 15
#: The table's rows: every language and site, up to these many (the rest in "Other").
TABLE_LANGUAGES = 60
TABLE_SITES = 100
#: The table's own time range, as a Lucene query (date math), and as its panel's time range.
LAST_24H = f"{TIME_FIELD}:[now-24h TO now]"


def _terms(agg_id: str, schema: str, field: str, size: int) -> dict[str, Any]:
    return {
        "id": agg_id,
        "enabled": True,
        "type": "terms",
        "schema": schema,
        "params": {
            "field": field,
            "size": size,
            "order": "desc",
            "orderBy": "1",
            "otherBucket": True,
            "otherBucketLabel": "Other",
            "missingBucket": False,
        },
    }


def _visualization(
    object_id: str, title: str, vis_state: dict[str, Any], query: str = "", description: str = ""
) -> dict[str, Any]:
    return {
        "type": "visualization",
        "id": object_id,
        "attributes": {
            "title": title,
            "visState": json.dumps(vis_state, sort_keys=True),
            "uiStateJSON": "{}",
            "description": description,
            "kibanaSavedObjectMeta": _search_source(query),
        },
        "references": [{"name": _INDEX_REF, "type": "index-pattern", "id": DATA_VIEW_ID}],
        **_VERSION,
        "typeMigrationVersion": "8.5.0",
    }


def _histogram(object_id: str, title: str, split_field: str) -> dict[str, Any]:
    """Stories over time per value of ``split_field``: terms first, so the top values are the whole
    range's (not each time bucket's), the rest summed into "Other"."""
    vis_state = {
        "title": title,
        "type": "histogram",
        "params": {"type": "histogram", "addLegend": True, "legendPosition": "right", "addTooltip": True},
        "aggs": [
            {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
            _terms("2", "group", split_field, SPLIT_SIZE),
            {
                "id": "3",
                "enabled": True,
                "type": "date_histogram",
                "schema": "segment",
                "params": {"field": TIME_FIELD, "interval": "auto", "min_doc_count": 1},
            },
        ],
    }
    return _visualization(object_id, title, vis_state)


def _table(object_id: str, title: str) -> dict[str, Any]:
    """A plain data table: stories per language and site over the last 24 hours (its own query, so
    the dashboard's wider time range does not change it), with a total row."""
    vis_state = {
        "title": title,
        "type": "table",
        "params": {
            "perPage": 20,
            "showPartialRows": False,
            "showMetricsAtAllLevels": False,
            "showTotal": True,
            "totalFunc": "sum",
            "percentageCol": "",
        },
        "aggs": [
            {"id": "1", "enabled": True, "type": "count", "schema": "metric", "params": {}},
            _terms("2", "bucket", "lang", TABLE_LANGUAGES),
            _terms("3", "bucket", "site", TABLE_SITES),
        ],
    }
    description = "New stories in the last 24 hours (first_seen_at), per language and site, with a total."
    return _visualization(object_id, title, vis_state, LAST_24H, description)


def _largest_clusters(object_id: str, title: str) -> dict[str, Any]:
    """The clusters with the most copies first seen in the last 24 hours: copies, sites, and the
    title of the cluster's first story."""
    metric = {"enabled": True, "schema": "metric"}
    clusters = _terms("4", "bucket", "cluster_id", LARGEST_CLUSTERS)
    clusters["params"]["otherBucket"] = False
    vis_state = {
        "title": title,
        "type": "table",
        "params": {"perPage": LARGEST_CLUSTERS, "showPartialRows": False, "showTotal": False},
        "aggs": [
            {"id": "1", "type": "count", "params": {"customLabel": "copies"}, **metric},
            {"id": "2", "type": "cardinality", "params": {"field": "site", "customLabel": "sites"}, **metric},
            {
                "id": "3",
                "type": "top_hits",
                "params": {
                    "field": "title.raw",
                    "aggregate": "concat",
                    "size": 1,
                    "sortField": TIME_FIELD,
                    "sortOrder": "asc",
                    "customLabel": "first title",
                },
                **metric,
            },
            clusters,
        ],
    }
    description = "Clusters with the most copies seen in the last 24 hours (first_seen_at), with their sites."
    return _visualization(object_id, title, vis_state, LAST_24H, description)


def _dashboard(panels: list[str], last_24h: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The panels one below the other; those in ``last_24h`` keep their own time range (24 hours)
    whatever the time picker says."""
    panels_json = [
        {
            "panelIndex": str(i),
            "gridData": {"x": 0, "y": 15 * i, "w": 48, "h": 15, "i": str(i)},
            "embeddableConfig": {"timeRange": {"from": "now-24h", "to": "now"}} if panel in last_24h else {},
            "panelRefName": f"panel_{i}",
        }
        for i, panel in enumerate(panels)
    ]
    return {
        "type": "dashboard",
        "id": DASHBOARD_ID,
        "attributes": {
            "title": "Wirestream: stories per site and language",
            "description": (
                "New stories in the last 24 hours per language and site, and over time by site and "
                "by detected language."
            ),
            "panelsJSON": json.dumps(panels_json, sort_keys=True),
            "timeRestore": True,
            "timeFrom": "now-7d",
            "timeTo": "now",
            "kibanaSavedObjectMeta": {
                "searchSourceJSON": json.dumps({"query": {"query": "", "language": "lucene"}, "filter": []})
            },
        },
        "references": [
            {"name": f"panel_{i}", "type": "visualization", "id": panel} for i, panel in enumerate(panels)
        ],
        **_VERSION,
        "typeMigrationVersion": "10.2.0",
    }


def saved_objects(alias: str = "news-stories") -> list[dict[str, Any]]:
    objects = [_data_view(DATA_VIEW_ID, alias, "Wirestream stories", TIME_FIELD)]
    for lang in SEARCH_LANGUAGES:
        objects.append(_saved_search(f"wirestream-lang-{lang}", f"Stories in {lang}", f"lang:{lang}"))
    for kind in KINDS:
        objects.append(_saved_search(f"wirestream-kind-{kind}", f"Stories: {kind}s", f"kind:{kind}"))
    objects.append(_table(TABLE_ID, "Stories per language / site, last 24 h"))
    objects.append(_histogram("wirestream-per-site", "Stories per site", "site"))
    objects.append(_histogram("wirestream-per-lang", "Stories per language", "lang"))
    objects.append(_largest_clusters(LARGEST_ID, "Largest story clusters, last 24 h"))
    panels = [TABLE_ID, LARGEST_ID, "wirestream-per-site", "wirestream-per-lang"]
    objects.append(_dashboard(panels, last_24h=frozenset({TABLE_ID, LARGEST_ID})))
    clusters = (CLUSTERS_VIEW_ID, CLUSTERS_TIME_FIELD)
    objects += [
        _data_view(CLUSTERS_VIEW_ID, clusters_index(alias), "Wirestream story clusters", CLUSTERS_TIME_FIELD),
        _saved_search(
            "wirestream-one-per-cluster",
            "Stories, one per cluster",
            "",
            clusters,
            ("title", "size", "site_count", "sites", "lang", "kind", "first_seen_at"),
            "Story clusters (copies of one story across sites), latest first",
        ),
    ]
    alerts = (ALERTS_VIEW_ID, ALERTS_TIME_FIELD)
    columns = ("rule", "owner", "kind", "lang", "site", "title", "url", "delivery")
    objects += [
        _data_view(ALERTS_VIEW_ID, alerts_index(alias), "Wirestream alerts fired", ALERTS_TIME_FIELD),
        _saved_search("wirestream-alerts-fired", "Alerts fired", "", alerts, columns, "Alerts fired"),
        _saved_search(
            "wirestream-alerts-failed",
            "Alert notifications that failed",
            "delivery:failed",
            alerts,
            (*columns, "delivery_error"),
            "Alerts",
        ),
    ]
    return objects


def example_rule(alias: str = "news-stories", keyword: str = "Zelensky") -> dict[str, Any]:
    """Kibana's own "Elasticsearch query" rule: new stories matching a keyword in the last 5 minutes."""
    query = {"query": {"query_string": {"query": keyword}}}
    return {
        "name": f"Keyword: {keyword}",
        "rule_type_id": ".es-query",
        "consumer": "alerts",
        "tags": ["wirestream", "example"],
        "schedule": {"interval": "1m"},
        "params": {
            "searchType": "esQuery",
            "index": [alias],
            "timeField": TIME_FIELD,
            "esQuery": json.dumps(query),
            "size": 100,
            "threshold": [0],
            "thresholdComparator": ">",
            "timeWindowSize": 5,
            "timeWindowUnit": "m",
            "excludeHitsFromPreviousRun": True,
        },
        "actions": [],
    }


def rendered(alias: str = "news-stories") -> dict[str, str]:
    """File name -> exact content, as committed in deploy/kibana/."""
    return {
        "saved-objects.ndjson": "".join(json.dumps(o, sort_keys=True) + "\n" for o in saved_objects(alias)),
        "rule-keyword.json": json.dumps(example_rule(alias), indent=2, sort_keys=True) + "\n",
    }


def export(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in rendered().items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
