"""Kibana for journalists: saved objects and an example alert rule, generated from the index template
so that every field they use exists (``deploy/kibana/``, `wirestream kibana export|import`).

- a data view on the stories alias with ``first_seen_at`` as its time field;
- saved searches per language and per story kind (Lucene syntax, as journalists type it);
- a dashboard: a table of stories per language and site over the last 24 hours, and stories over
  time per site and per language (the split by site or language is taken over the whole time range,
  with an "Other" bucket, so small languages are not dropped bucket by bucket);
- an example "Elasticsearch query" rule that fires when a keyword appears in new stories;
- a data view on the fired alerts (``<alias>.alerts``, time field ``fired_at``) with saved searches
  "Alerts fired" and "Alert notifications that failed", for the desks that own the rules.

Kibana does not run on the development machines: tests check these files statically.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from pipeline.alerts.indices import alerts_index
from pipeline.errors import UserError
from pipeline.index.template import LANGUAGE_ANALYZERS, TIME_FIELD

#: Relative to the working directory: run from a checkout's root, it is the committed deploy/kibana/.
DEFAULT_DIR = Path("deploy") / "kibana"
DATA_VIEW_ID = "wirestream-stories"
ALERTS_VIEW_ID = "wirestream-alerts"
ALERTS_TIME_FIELD = "fired_at"
DASHBOARD_ID = "wirestream-overview"
TABLE_ID = "wirestream-per-lang-site-24h"
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
    objects.append(
        _dashboard([TABLE_ID, "wirestream-per-site", "wirestream-per-lang"], last_24h=frozenset({TABLE_ID}))
    )
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


RULE_ID = "wirestream-keyword-example"
#: What Kibana answers (or logs) when its alerting API is off for want of a saved-objects encryption
#: key: "Unable to create alerts client because the Encrypted Saved Objects plugin is missing
#: encryption key. Please set xpack.encryptedSavedObjects.encryptionKey ...".
_MISSING_ENCRYPTION_KEY = re.compile(
    r"missing encryption key|encryptedSavedObjects|Encrypted Saved Objects|"
    r"create (alerts|rules|actions) client",
    re.IGNORECASE,
)
ENCRYPTION_KEY_FIX = (
    "set XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY (32+ characters, e.g. `openssl rand -hex 32`) in "
    "Kibana's environment (compose: KIBANA_ENCRYPTION_KEY in deploy/.env) and restart Kibana"
)


class KibanaAPI:
    """Kibana's HTTP API with its CSRF header and basic auth (Kibana checks the user against
    Elasticsearch)."""

    def __init__(self, url: str, username: str | None = None, password: str | None = None) -> None:
        self.url = url.rstrip("/")
        self.headers = {"kbn-xsrf": "wirestream"}
        if username and password:
            token = base64.b64encode(f"{username}:{password}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def call(self, method: str, path: str, body: bytes, content_type: str) -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url + path, data=body, method=method, headers={**self.headers, "Content-Type": content_type}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, _parsed(response.read())
        except urllib.error.HTTPError as exc:
            return exc.code, _parsed(exc.read())
        except urllib.error.URLError as exc:
            raise UserError(f"cannot reach Kibana at {self.url}: {exc.reason}") from exc

    def import_objects(self, ndjson: bytes) -> dict[str, Any]:
        """The saved objects API's import, overwriting what is there."""
        boundary = uuid.uuid4().hex
        form = (
            (
                f"--{boundary}\r\n"
                'Content-Disposition: form-data; name="file"; filename="saved-objects.ndjson"\r\n'
                "Content-Type: application/ndjson\r\n\r\n"
            ).encode()
            + ndjson
            + f"\r\n--{boundary}--\r\n".encode()
        )
        status, imported = self.call(
            "POST",
            "/api/saved_objects/_import?overwrite=true",
            form,
            f"multipart/form-data; boundary={boundary}",
        )
        if status != 200 or not imported.get("success", False):
            raise UserError(
                f"Kibana refused the saved objects (HTTP {status}): {json.dumps(imported)[:2000]}"
            )
        return dict(imported)

    def put_rule(self, rule_id: str, rule: dict[str, Any]) -> None:
        """Create the rule, or update what an update may change when it exists."""
        status, created = self.call(
            "POST", f"/api/alerting/rule/{rule_id}", json.dumps(rule).encode(), "application/json"
        )
        if status == 409:
            update = {k: rule[k] for k in ("name", "tags", "schedule", "params", "actions")}
            status, created = self.call(
                "PUT", f"/api/alerting/rule/{rule_id}", json.dumps(update).encode(), "application/json"
            )
        if status not in (200, 201):
            answer = json.dumps(created)[:2000]
            if _MISSING_ENCRYPTION_KEY.search(answer):
                raise UserError(
                    "Kibana's alerting API is off: Kibana has no encryption key for saved objects, so "
                    f"the rule cannot be created; {ENCRYPTION_KEY_FIX} (Kibana said, HTTP {status}: {answer})"
                )
            hint = (
                " (if Kibana's log says the Encrypted Saved Objects plugin is missing encryption key: "
                f"{ENCRYPTION_KEY_FIX})"
                if status == 500
                else ""
            )
            raise UserError(f"Kibana refused the rule (HTTP {status}): {answer}{hint}")


def _parsed(body: bytes) -> Any:
    """Kibana's JSON answer; a body that is not JSON (a proxy's error page) as its text."""
    try:
        return json.loads(body or b"{}")
    except ValueError:
        return {"message": body.decode("utf-8", "replace")[:2000]}


def bootstrap(
    url: str, directory: Path | None = None, username: str | None = None, password: str | None = None
) -> dict[str, Any]:
    """Import the saved objects (overwriting) and create or update the example rule in a running
    Kibana, from ``directory`` or, by default, as generated here (the container image has no
    deploy/ folder). Returns what Kibana said; raises UserError when Kibana refuses."""
    files = (
        {name: (directory / name).read_text(encoding="utf-8") for name in rendered()}
        if directory is not None
        else rendered()
    )
    kibana = KibanaAPI(url, username, password)
    imported = kibana.import_objects(files["saved-objects.ndjson"].encode())
    kibana.put_rule(RULE_ID, json.loads(files["rule-keyword.json"]))
    return {"saved_objects": imported.get("successCount", 0), "rule": RULE_ID}
