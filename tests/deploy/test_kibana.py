"""deploy/kibana/ checked statically (Kibana cannot run here): every line parses, references resolve,
every field exists in the index template, the time field is a date; the import command talks to a
stand-in Kibana that records what it is sent."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from pipeline import kibana, kibana_import
from pipeline.alerts.indices import ALERTS_MAPPINGS
from pipeline.cluster.indices import CLUSTER_MAPPINGS
from pipeline.errors import UserError
from pipeline.index.template import TIME_FIELD, mappings

DIR = Path(__file__).parents[2] / "deploy" / "kibana"
FIELDS = mappings()["properties"]
#: Each data view's fields: the stories' index template, the fired alerts' mappings.
VIEW_FIELDS: dict[str, dict[str, Any]] = {
    kibana.DATA_VIEW_ID: FIELDS,
    kibana.ALERTS_VIEW_ID: ALERTS_MAPPINGS["properties"],
    kibana.CLUSTERS_VIEW_ID: CLUSTER_MAPPINGS["properties"],
}


def objects() -> list[dict[str, Any]]:
    lines = (DIR / "saved-objects.ndjson").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]  # every line parses


def field_exists(name: str, fields: dict[str, Any] = FIELDS) -> bool:
    top = name.split(".", maxsplit=1)[0]
    if top not in fields:
        return False
    return "." not in name or name.split(".", 1)[1] in fields[top].get("fields", {})


def query_fields(query: str) -> set[str]:
    return set(re.findall(r"([A-Za-z_][\w.]*):", query))


def test_the_committed_files_are_what_the_code_generates() -> None:
    for name, content in kibana.rendered().items():
        assert (DIR / name).read_text(encoding="utf-8") == content, f"run `wirestream kibana export` ({name})"


def test_ids_are_unique_and_every_reference_resolves() -> None:
    found = objects()
    ids = {(o["type"], o["id"]) for o in found}
    assert len(ids) == len(found)
    for obj in found:
        for ref in obj["references"]:
            assert (ref["type"], ref["id"]) in ids, (obj["id"], ref)
        names = {ref["name"] for ref in obj["references"]}
        for text in json.dumps(obj["attributes"]).split('\\"indexRefName\\": \\"')[1:]:
            assert text.split('\\"')[0] in names, obj["id"]
        if obj["type"] == "dashboard":
            panels = json.loads(obj["attributes"]["panelsJSON"])
            assert {p["panelRefName"] for p in panels} <= names


def test_the_data_views_have_date_time_fields() -> None:
    views = {o["id"]: o["attributes"] for o in objects() if o["type"] == "index-pattern"}
    assert views[kibana.DATA_VIEW_ID]["title"] == "news-stories"
    assert views[kibana.DATA_VIEW_ID]["timeFieldName"] == TIME_FIELD
    assert views[kibana.ALERTS_VIEW_ID]["title"] == "news-stories.alerts"  # where the worker records them
    assert views[kibana.CLUSTERS_VIEW_ID]["title"] == "news-stories.clusters"
    assert set(views) == set(VIEW_FIELDS)
    for view_id, view in views.items():
        assert VIEW_FIELDS[view_id][view["timeFieldName"]]["type"] == "date"


def test_every_field_used_exists_in_its_data_views_mappings() -> None:
    used: set[tuple[str, str]] = set()
    for obj in objects():
        attributes = obj["attributes"]
        views = [ref["id"] for ref in obj["references"] if ref["type"] == "index-pattern"]
        if not views:
            continue
        (view,) = views
        fields: set[str] = set()
        fields |= set(attributes.get("columns", []))
        fields |= {sort[0] for sort in attributes.get("sort", [])}
        source = json.loads(attributes.get("kibanaSavedObjectMeta", {}).get("searchSourceJSON", "{}"))
        fields |= query_fields(source.get("query", {}).get("query", ""))
        if "visState" in attributes:
            fields |= {
                agg["params"]["field"]
                for agg in json.loads(attributes["visState"])["aggs"]
                if "field" in agg["params"]
            }
        used |= {(view, field) for field in fields}
    assert {view for view, _ in used} == set(VIEW_FIELDS)
    missing = sorted((v, f) for v, f in used if not field_exists(f, VIEW_FIELDS[v]))
    assert not missing


def test_saved_searches_cover_languages_and_kinds() -> None:
    queries = {
        json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"]
        for o in objects()
        if o["type"] == "search"
    }
    assert {"lang:tr", "lang:ckb", "lang:kmr", "lang:ar", "lang:en", "kind:article", "kind:teaser"} <= queries


def visualization(object_id: str) -> dict[str, Any]:
    (found,) = [o for o in objects() if o["type"] == "visualization" and o["id"] == object_id]
    return found


def aggs(object_id: str) -> list[dict[str, Any]]:
    return list(json.loads(visualization(object_id)["attributes"]["visState"])["aggs"])


@pytest.mark.parametrize(
    ("object_id", "field"), [("wirestream-per-lang", "lang"), ("wirestream-per-site", "site")]
)
def test_the_charts_split_by_the_total_not_per_time_bucket(object_id: str, field: str) -> None:
    """A terms split nested in the date histogram keeps each time bucket's top N: small languages
    vanish. The split comes first (the top N of the whole range), and the rest are in "Other"."""
    found = aggs(object_id)
    types = [agg["type"] for agg in found]
    terms = found[types.index("terms")]
    assert terms["params"]["field"] == field
    assert types.index("terms") < types.index("date_histogram"), types
    assert terms["params"]["otherBucket"] is True
    assert terms["params"]["size"] >= 10


def test_the_table_of_the_last_24_hours_is_on_the_dashboard() -> None:
    table = visualization(kibana.TABLE_ID)
    state = json.loads(table["attributes"]["visState"])
    assert state["type"] == "table"
    assert "24 h" in table["attributes"]["title"]
    rows = [agg for agg in state["aggs"] if agg["schema"] == "bucket"]
    assert [agg["params"]["field"] for agg in rows] == ["lang", "site"]
    assert all(agg["type"] == "terms" and agg["params"]["otherBucket"] for agg in rows)
    assert rows[0]["params"]["size"] >= len(kibana.SEARCH_LANGUAGES)  # every language has a row
    source = json.loads(table["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
    assert source["query"]["query"] == f"{TIME_FIELD}:[now-24h TO now]"

    (dashboard,) = [o for o in objects() if o["type"] == "dashboard"]
    panels = {ref["name"]: ref["id"] for ref in dashboard["references"]}
    assert {kibana.TABLE_ID, "wirestream-per-lang", "wirestream-per-site"} <= set(panels.values())
    for panel in json.loads(dashboard["attributes"]["panelsJSON"]):
        if panels[panel["panelRefName"]] == kibana.TABLE_ID:
            assert panel["embeddableConfig"]["timeRange"] == {"from": "now-24h", "to": "now"}


def test_the_example_rule_searches_the_alias_by_its_time_field() -> None:
    rule = json.loads((DIR / "rule-keyword.json").read_text(encoding="utf-8"))
    assert rule["rule_type_id"] == ".es-query"
    params = rule["params"]
    assert params["index"] == ["news-stories"]
    assert FIELDS[params["timeField"]]["type"] == "date"
    assert json.loads(params["esQuery"])["query"]["query_string"]["query"]


class StubKibana(BaseHTTPRequestHandler):
    calls: ClassVar[list[tuple[str, str, dict[str, str], bytes]]] = []
    rule_exists: ClassVar[bool] = False
    #: When set, what the rule API answers (status, body) instead of creating the rule.
    rule_answer: ClassVar[tuple[int, dict[str, Any]] | None] = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _record(self) -> bytes:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        StubKibana.calls.append(
            (self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
        )
        return body

    def do_POST(self) -> None:
        body = self._record()
        if self.path.startswith("/api/saved_objects/_import"):
            count = body.count(b'"coreMigrationVersion"')  # one per object
            self._answer(200, {"success": True, "successCount": count})
        elif StubKibana.rule_answer is not None:
            self._answer(*StubKibana.rule_answer)
        elif StubKibana.rule_exists:
            self._answer(409, {"message": "exists"})
        else:
            self._answer(200, {"id": kibana_import.RULE_ID})

    def do_PUT(self) -> None:
        self._record()
        self._answer(200, {"id": kibana_import.RULE_ID})


@pytest.fixture
def stub() -> Iterator[str]:
    StubKibana.calls = []
    StubKibana.rule_answer = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubKibana)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_import_uploads_the_objects_and_creates_then_updates_the_rule(stub: str) -> None:
    StubKibana.rule_exists = False
    result = kibana_import.bootstrap(stub, DIR, "elastic", "secret")
    assert result["saved_objects"] == len(objects())
    (method, path, headers, body), (rule_method, rule_path, _, rule_body) = StubKibana.calls
    assert (method, path) == ("POST", "/api/saved_objects/_import?overwrite=true")
    assert headers["kbn-xsrf"] and headers["authorization"].startswith("Basic ")
    assert headers["content-type"].startswith("multipart/form-data; boundary=")
    assert (DIR / "saved-objects.ndjson").read_bytes() in body
    assert (rule_method, rule_path) == ("POST", f"/api/alerting/rule/{kibana_import.RULE_ID}")
    assert json.loads(rule_body)["rule_type_id"] == ".es-query"

    StubKibana.calls = []
    StubKibana.rule_exists = True  # a second run updates
    kibana_import.bootstrap(stub, DIR)
    assert [c[0] for c in StubKibana.calls] == ["POST", "POST", "PUT"]
    assert "rule_type_id" not in json.loads(StubKibana.calls[-1][3])


def test_an_unreachable_kibana_is_a_clear_error() -> None:
    with pytest.raises(UserError, match="cannot reach Kibana"):
        kibana_import.bootstrap("http://127.0.0.1:9", DIR)


def test_import_without_a_directory_sends_the_built_in_objects(stub: str) -> None:
    StubKibana.calls = []
    StubKibana.rule_exists = False
    kibana_import.bootstrap(stub)
    assert (DIR / "saved-objects.ndjson").read_bytes() in StubKibana.calls[0][3]


#: Kibana 8.19 without xpack.encryptedSavedObjects.encryptionKey: the alerting API is off.
NO_KEY_MESSAGE = (
    "Unable to create alerts client because the Encrypted Saved Objects plugin is missing encryption "
    "key. Please set xpack.encryptedSavedObjects.encryptionKey in the kibana.yml or use the "
    "bin/kibana-encryption-keys command."
)


@pytest.mark.parametrize("status", [400, 500])
def test_import_says_plainly_that_kibana_lacks_its_encryption_key(stub: str, status: int) -> None:
    StubKibana.rule_answer = (status, {"statusCode": status, "error": "Error", "message": NO_KEY_MESSAGE})
    with pytest.raises(UserError) as raised:
        kibana_import.bootstrap(stub, DIR)
    message = str(raised.value)
    assert "\n" not in message
    assert "XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY" in message
    assert "KIBANA_ENCRYPTION_KEY" in message and "alerting API is off" in message
    assert StubKibana.calls[0][1].startswith("/api/saved_objects/_import")  # the objects went first


def test_an_unexplained_server_error_on_the_rule_names_the_likely_fix(stub: str) -> None:
    """Kibana may hide the reason behind a bare 500 (it is then only in Kibana's log)."""
    StubKibana.rule_answer = (500, {"statusCode": 500, "message": "An internal server error occurred."})
    with pytest.raises(UserError, match=r"HTTP 500.*XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY"):
        kibana_import.bootstrap(stub, DIR)
    StubKibana.rule_answer = (400, {"statusCode": 400, "message": "params invalid"})
    with pytest.raises(UserError, match="refused the rule") as raised:
        kibana_import.bootstrap(stub, DIR)
    assert "ENCRYPTIONKEY" not in str(raised.value)


def test_the_import_command_ends_in_one_error_line(
    stub: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import run_cli

    StubKibana.rule_answer = (500, {"statusCode": 500, "message": NO_KEY_MESSAGE})
    monkeypatch.setattr("sys.argv", ["wirestream", "kibana", "import", "--url", stub])
    with pytest.raises(SystemExit) as exited:
        run_cli()
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    assert "set XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY" in err


def test_one_story_per_cluster_and_the_largest_clusters_of_the_last_24_hours() -> None:
    (search,) = [o for o in objects() if o["id"] == "wirestream-one-per-cluster"]
    assert [ref["id"] for ref in search["references"]] == [kibana.CLUSTERS_VIEW_ID]
    assert {"title", "size", "sites"} <= set(search["attributes"]["columns"])
    largest = {agg["type"]: agg for agg in aggs(kibana.LARGEST_ID)}
    assert (
        largest["terms"]["params"]["field"] == "cluster_id" and largest["terms"]["params"]["orderBy"] == "1"
    )
    assert largest["count"]["schema"] == "metric" and largest["cardinality"]["params"]["field"] == "site"
    source = json.loads(
        visualization(kibana.LARGEST_ID)["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
    )
    assert source["query"]["query"] == f"{TIME_FIELD}:[now-24h TO now]"
    (dashboard,) = [o for o in objects() if o["type"] == "dashboard"]
    panels = {p["panelRefName"]: p for p in json.loads(dashboard["attributes"]["panelsJSON"])}
    ref = next(r["name"] for r in dashboard["references"] if r["id"] == kibana.LARGEST_ID)
    assert panels[ref]["embeddableConfig"]["timeRange"] == {"from": "now-24h", "to": "now"}


def test_import_authenticates_with_an_api_key_before_a_password(stub: str) -> None:
    StubKibana.rule_exists = True
    kibana_import.bootstrap(stub, DIR, "elastic", "secret", api_key="a2V5OnNlY3JldA==")
    assert {c[2]["authorization"] for c in StubKibana.calls} == {"ApiKey a2V5OnNlY3JldA=="}
