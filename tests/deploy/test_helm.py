"""Checks of the Kubernetes and monitoring files: deploy/helm/wirestream, deploy/prometheus/rules.yaml,
deploy/grafana/wirestream.json.

Pure Python (always run): the chart's metadata and defaults, the alerting rules and the dashboard parse,
and every metric they name is one the worker or the scraper exports (or Prometheus' own `up`).

With the tools (run when found, skipped otherwise): `helm lint`, `helm template` with the default values
and with KEDA and the ServiceMonitors on, the rendered manifests checked in Python (securityContext,
probes, volumes, env, ...), and `kubeconform -strict` against Kubernetes JSON schemas generated offline
from the OpenAPI spec in the k8s.io/kubernetes Go module (no network at test time).

Where the tools are looked for: on PATH, then in the cache directory WIRESTREAM_DEPLOY_TOOLS_DIR
(default ~/.cache/wirestream/deploy-tools): <dir>/bin/helm, <dir>/bin/kubeconform and the generated
schemas in <dir>/kubernetes-json-schema/v<K8S_VERSION>/. Under CI=true a missing tool is installed
there from the Go module proxy first (`go install`, `go mod download`; measured with empty Go caches:
kubeconform 25 s, helm 91 s, the three modules 4 s, the schemas < 1 s), and a failed install fails the
test instead of skipping it:

    GOBIN=~/.cache/wirestream/deploy-tools/bin go install helm.sh/helm/v3/cmd/helm@v3.16.4
    GOBIN=~/.cache/wirestream/deploy-tools/bin go install github.com/yannh/kubeconform/cmd/kubeconform@v0.6.7
    go mod download -json k8s.io/kubernetes@v1.31.4    # api/openapi-spec/swagger.json -> the schemas

The custom resources' schemas (KEDA ScaledObject, Prometheus Operator ServiceMonitor) come the same way
from the CRDs in the operators' Go modules (github.com/kedacore/keda/v2@v2.16.1,
github.com/prometheus-operator/prometheus-operator@v0.79.2; CI=true downloads them); when they are not
in the Go module cache, kubeconform skips those resources (-ignore-missing-schemas) and only the Python
checks cover them.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
CHART = DEPLOY / "helm" / "wirestream"
RULES = DEPLOY / "prometheus" / "rules.yaml"
DASHBOARD = DEPLOY / "grafana" / "wirestream.json"
SOURCES_EXAMPLE = DEPLOY / "sources.example.yaml"

HELM_VERSION = "v3.16.4"
KUBECONFORM_VERSION = "v0.6.7"
K8S_VERSION = "1.31.4"  # the OpenAPI spec the schemas are generated from (k8s.io/kubernetes module)
TOOLS_DIR = Path(
    os.environ.get("WIRESTREAM_DEPLOY_TOOLS_DIR", Path.home() / ".cache" / "wirestream" / "deploy-tools")
).expanduser()
IN_CI = os.environ.get("CI", "").lower() == "true"
INSTALL_TIMEOUT = 900  # seconds per `go install` / `go mod download` (CI only)
RUN_TIMEOUT = 120  # seconds per helm / kubeconform run

# The metrics the worker and the scraper export (pipeline/observability/metrics.py), by type: a
# histogram is also queried as <name>_bucket, <name>_sum and <name>_count.
COUNTERS = {
    "wirestream_pages_total",
    "wirestream_stories_total",
    "wirestream_dead_letters_total",
    "wirestream_bulk_retries_total",
    "wirestream_alerts_fired_total",
    "wirestream_webhook_deliveries_total",
    "wirestream_scrape_fetches_total",
    "wirestream_scrape_robots_refusals_total",
    "wirestream_scrape_bytes_total",
    "wirestream_scrape_published_total",
}
GAUGES = {"wirestream_consumer_lag", "wirestream_scrape_polls_without_new_pages"}
HISTOGRAMS = {
    "wirestream_bulk_request_seconds",
    "wirestream_bulk_request_stories",
    "wirestream_alert_latency_seconds",
}
METRICS = COUNTERS | GAUGES | HISTOGRAMS
QUERYABLE = (
    COUNTERS | GAUGES | {f"{h}{s}" for h in HISTOGRAMS for s in ("_bucket", "_sum", "_count")} | {"up"}
)

WORKER_GROUP = "wirestream"
SECRET_VARS = {
    "WIRESTREAM_ELASTICSEARCH_PASSWORD",
    "WIRESTREAM_ELASTICSEARCH_API_KEY",
    "WIRESTREAM_KAFKA_PASSWORD",
}
EXPECTED_CONTAINER_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 10001,
    "runAsGroup": 10001,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


# --- PromQL: the metric names an expression uses -----------------------------------------------------
PROMQL_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
    "offset", "atan2", "inf", "nan",
}  # fmt: skip
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_LABEL_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE)
_IDENTIFIER = re.compile(r"(?<![\w.$])([A-Za-z_:][A-Za-z0-9_:]*)\b(?!\s*\()")
_NUMBER_OR_DURATION = re.compile(r"\b\d+(\.\d+)?([smhdwy]|ms)?\b")


def promql_metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects (functions, keywords and label names left out)."""
    text = _STRINGS.sub(" ", expr)
    text = _LABEL_MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _NUMBER_OR_DURATION.sub(" ", text)
    return {name for name in _IDENTIFIER.findall(text) if name.lower() not in PROMQL_KEYWORDS}


def test_promql_metric_names_finds_metrics_not_functions_or_labels() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le) (rate(wirestream_bulk_request_seconds_bucket{job=~"w.*"}'
        "[$__rate_interval]))) > 10 and on (topic) up offset 5m unless wirestrem_typo"
    )
    assert promql_metric_names(expr) == {"wirestream_bulk_request_seconds_bucket", "up", "wirestrem_typo"}


# --- Chart metadata and defaults ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def chart() -> dict[str, Any]:
    data = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    data = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def package_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_chart_yaml_fields(chart: dict[str, Any]) -> None:
    assert chart["apiVersion"] == "v2"
    assert chart["name"] == "wirestream"
    assert chart["type"] == "application"
    assert re.fullmatch(r"\d+\.\d+\.\d+([-+].*)?", str(chart["version"])), chart["version"]
    assert chart.get("description")
    # The image the chart deploys by default is the package's version (as compose's default tag).
    assert str(chart["appVersion"]) == package_version()


def test_chart_has_the_expected_templates() -> None:
    names = {p.name for p in (CHART / "templates").iterdir()}
    expected = {
        "_helpers.tpl",
        "configmap.yaml",
        "secret.yaml",
        "init-job.yaml",
        "worker-deployment.yaml",
        "worker-service.yaml",
        "scraper-configmap.yaml",
        "scraper-deployment.yaml",
        "scraper-service.yaml",
        "keda-scaledobject.yaml",
        "servicemonitor.yaml",
    }
    assert expected <= names, sorted(expected - names)
    assert (CHART / "README.md").is_file()
    assert json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))["type"] == "object"


def test_values_defaults(values: dict[str, Any]) -> None:
    assert values["image"]["repository"] == "wirestream"
    assert values["image"]["tag"] in ("", package_version())  # empty: the chart's appVersion
    assert values["image"]["pullPolicy"] == "IfNotPresent"
    assert values["keda"]["enabled"] is False
    assert values["serviceMonitor"]["enabled"] is False
    assert values["secrets"]["existingSecret"] == ""
    for key in ("elasticsearchPassword", "elasticsearchApiKey", "kafkaPassword"):
        assert values["secrets"][key] == "", f"secrets.{key} must not have a default value"
    assert set(values["secrets"]["keys"].values()) == SECRET_VARS
    assert values["config"]["logFormat"] == "json"
    assert values["config"]["workerGroup"] == WORKER_GROUP
    assert values["worker"]["port"] == 6066
    assert values["scraper"]["metricsPort"] == 9108
    for key in ("podAnnotations", "nodeSelector", "tolerations", "affinity"):
        assert key in values, key
    for role in ("worker", "scraper"):
        resources = values[role]["resources"]
        assert resources["requests"]["cpu"] and resources["requests"]["memory"], role
        assert resources["limits"]["memory"], role
    assert {k: values["securityContext"][k] for k in EXPECTED_CONTAINER_SECURITY} == (
        EXPECTED_CONTAINER_SECURITY
    )


def test_default_sources_look_like_the_example(values: dict[str, Any]) -> None:
    """The chart's default sources file has the format of deploy/sources.example.yaml."""
    example = yaml.safe_load(SOURCES_EXAMPLE.read_text(encoding="utf-8"))
    sources = values["scraper"]["sources"]
    assert set(sources) <= set(example), set(sources) - set(example)
    assert set(sources["defaults"]) <= set(example["defaults"])
    site_fields = {field for site in example["sites"] for field in site}
    names = [site["name"] for site in sources["sites"]]
    assert names and len(names) == len(set(names)), names
    for site in sources["sites"]:
        assert set(site) <= site_fields, site
        assert site.get("feeds") or site.get("sitemaps") or site.get("listings"), site


# --- Prometheus rules --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    data = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("groups"), list) and data["groups"]
    found: list[dict[str, Any]] = []
    for group in data["groups"]:
        assert group.get("name"), group
        assert isinstance(group.get("rules"), list) and group["rules"], group["name"]
        found.extend(group["rules"])
    return found


def test_every_rule_is_a_complete_alert(rules: list[dict[str, Any]]) -> None:
    names = [rule.get("alert") for rule in rules]
    assert all(names) and len(names) == len(set(names)), names
    for rule in rules:
        name = rule["alert"]
        assert isinstance(rule.get("expr"), str) and rule["expr"].strip(), name
        assert re.fullmatch(r"\d+[smh]", str(rule.get("for", ""))), f"{name}: for {rule.get('for')!r}"
        assert rule.get("labels", {}).get("severity") in {"info", "warning", "critical"}, name
        assert rule.get("annotations", {}).get("summary"), name
        assert rule.get("annotations", {}).get("description"), name


def test_rules_cover_the_required_alerts(rules: list[dict[str, Any]]) -> None:
    by_name = {rule["alert"]: rule for rule in rules}

    lag = by_name["WirestreamConsumerLagGrowing"]
    assert "wirestream_consumer_lag" in lag["expr"] and "1000" in lag["expr"], lag["expr"]
    assert re.search(r"(deriv|delta|increase)\(wirestream_consumer_lag\[10m\]\)", lag["expr"]), lag["expr"]
    assert lag["for"] == "15m"

    assert "wirestream_dead_letters_total" in by_name["WirestreamDeadLettersHigh"]["expr"]

    silent = by_name["WirestreamSiteSilent"]
    assert re.search(r"wirestream_scrape_polls_without_new_pages\)?\s*>=\s*12", silent["expr"])
    assert silent["for"] == "30m"

    webhook = by_name["WirestreamWebhookFailures"]
    assert 'wirestream_webhook_deliveries_total{outcome="failed"}' in webhook["expr"]
    assert webhook["for"] == "10m"

    down = by_name["WirestreamDown"]
    assert re.fullmatch(r'up\{job=~"[^"]*wirestream[^"]*"\}\s*==\s*0', down["expr"].strip()), down["expr"]
    assert down["labels"]["severity"] == "critical"


def test_rules_use_only_exported_metrics(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        names = promql_metric_names(rule["expr"])
        assert names, f"{rule['alert']}: no metric in {rule['expr']!r}"
        assert names <= QUERYABLE, f"{rule['alert']}: unknown metrics {sorted(names - QUERYABLE)}"


# --- Grafana dashboard -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    data = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or [])


def query_panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in all_panels(dashboard["panels"]) if p.get("type") != "row"]


def test_dashboard_metadata_and_datasource(dashboard: dict[str, Any]) -> None:
    assert dashboard["schemaVersion"] == 39
    assert dashboard["title"] and dashboard["uid"]
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["DS_PROMETHEUS"]["type"] == "datasource"
    assert variables["DS_PROMETHEUS"]["query"] == "prometheus"
    for panel in query_panels(dashboard):
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}, panel["title"]


def test_every_panel_has_queries(dashboard: dict[str, Any]) -> None:
    panels = query_panels(dashboard)
    assert len(panels) >= 10
    ids = [p["id"] for p in all_panels(dashboard["panels"])]
    assert len(ids) == len(set(ids)), "panel ids repeat"
    for panel in panels:
        assert panel.get("title"), panel
        targets = panel.get("targets")
        assert targets, f"{panel['title']}: no targets"
        for target in targets:
            assert isinstance(target.get("expr"), str) and target["expr"].strip(), panel["title"]
            assert target.get("refId"), panel["title"]
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def test_dashboard_uses_only_exported_metrics_and_shows_them_all(dashboard: dict[str, Any]) -> None:
    used: set[str] = set()
    for panel in query_panels(dashboard):
        for target in panel["targets"]:
            names = promql_metric_names(target["expr"])
            assert names, f"{panel['title']}: no metric in {target['expr']!r}"
            assert names <= QUERYABLE, f"{panel['title']}: unknown metrics {sorted(names - QUERYABLE)}"
            used |= names
    shown = {re.sub(r"_(bucket|sum|count)$", "", n) if n not in METRICS else n for n in used}
    assert shown >= METRICS, f"metrics on no panel: {sorted(METRICS - shown)}"


def test_dashboard_has_the_required_panels(dashboard: dict[str, Any]) -> None:
    exprs = " ".join(t["expr"] for p in query_panels(dashboard) for t in p["targets"])
    for fragment in (
        "sum by (outcome) (rate(wirestream_pages_total",
        "sum by (kind) (rate(wirestream_stories_total",
        "sum by (lang) (rate(wirestream_stories_total",
        "sum by (stage) (rate(wirestream_dead_letters_total",
        "histogram_quantile(0.5, sum by (le) (rate(wirestream_bulk_request_seconds_bucket",
        "histogram_quantile(0.99, sum by (le) (rate(wirestream_bulk_request_seconds_bucket",
        "sum by (topic) (wirestream_consumer_lag)",
        "histogram_quantile(0.99, sum by (le) (rate(wirestream_alert_latency_seconds_bucket",
        "sum by (outcome) (rate(wirestream_webhook_deliveries_total",
        "sum by (status) (rate(wirestream_scrape_fetches_total",
        "sum by (site) (rate(wirestream_scrape_published_total",
    ):
        assert fragment in exprs, fragment


# --- tools: helm, kubeconform, Kubernetes JSON schemas ------------------------------------------------
def _run(cmd: list[str], *, timeout: float = RUN_TIMEOUT, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def _unavailable(reason: str) -> None:
    """Outside CI a missing tool skips; under CI=true it fails (the tools must be installable)."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _go() -> str:
    go = shutil.which("go")
    if go is None:
        _unavailable("`go` is not on PATH: cannot install the deploy tools")
    assert go is not None
    return go


# Without the release build's -ldflags, `go install` leaves helm's version empty and its default
# Kubernetes version at v1.20 (the chart needs >= 1.25); the tests pass --kube-version anyway.
HELM_LDFLAGS = " ".join(
    f"-X helm.sh/helm/v3/{var}"
    for var in (
        f"internal/version.version={HELM_VERSION}",
        "pkg/chartutil.k8sVersionMajor=1",
        "pkg/chartutil.k8sVersionMinor=31",
        "pkg/lint/rules.k8sVersionMajor=1",
        "pkg/lint/rules.k8sVersionMinor=31",
    )
)


def _tool(name: str, package: str, version: str, ldflags: str = "") -> str:
    found = shutil.which(name) or (
        str(TOOLS_DIR / "bin" / name) if (TOOLS_DIR / "bin" / name).is_file() else None
    )
    if found:
        return found
    if not IN_CI:
        pytest.skip(
            f"{name} not found on PATH nor in {TOOLS_DIR / 'bin'} (install: GOBIN={TOOLS_DIR / 'bin'} "
            f"go install {package}@{version}; CI=true installs it)"
        )
    env = {**os.environ, "GOBIN": str(TOOLS_DIR / "bin"), "CGO_ENABLED": "0"}
    (TOOLS_DIR / "bin").mkdir(parents=True, exist_ok=True)
    flags = [f"-ldflags={ldflags}"] if ldflags else []
    _run([_go(), "install", "-trimpath", *flags, f"{package}@{version}"], timeout=INSTALL_TIMEOUT, env=env)
    installed = TOOLS_DIR / "bin" / name
    assert installed.is_file(), f"go install {package}@{version} did not produce {installed}"
    return str(installed)


@pytest.fixture(scope="session")
def helm() -> str:
    binary = _tool("helm", "helm.sh/helm/v3/cmd/helm", HELM_VERSION, HELM_LDFLAGS)
    print("helm", _run([binary, "version", "--short"]).strip())
    return binary


@pytest.fixture(scope="session")
def kubeconform() -> str:
    binary = _tool(
        "kubeconform",
        "github.com/yannh/kubeconform/cmd/kubeconform",
        KUBECONFORM_VERSION,
        f"-X main.version={KUBECONFORM_VERSION}",
    )
    print("kubeconform", _run([binary, "-v"]).strip())
    return binary


# Kubernetes JSON schemas for kubeconform, generated from the OpenAPI (swagger 2.0) spec the way
# openapi2jsonschema does for kubeconform's own "-standalone-strict" schemas: one self-contained file per
# kind, <kind>-<group>-<version>.json, objects closed (additionalProperties false), int-or-string and
# Quantity accepting numbers as well, optional fields accepting null.
SCHEMA_LOCATION = "{{ .ResourceKind }}{{ .KindSuffix }}.json"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


def _swagger() -> Path:
    module = f"k8s.io/kubernetes@v{K8S_VERSION}"
    env = {**os.environ, "GOFLAGS": "-mod=mod"}
    go = shutil.which("go")
    if go is not None:
        modcache = _run([go, "env", "GOMODCACHE"]).strip()
        cached = (
            Path(modcache) / "k8s.io" / f"kubernetes@v{K8S_VERSION}" / "api" / "openapi-spec" / "swagger.json"
        )
        if cached.is_file():
            return cached
    if not IN_CI:
        pytest.skip(
            f"no Kubernetes schemas in {TOOLS_DIR / 'kubernetes-json-schema'} and {module} is not in the Go "
            f"module cache (go mod download {module}; CI=true does it)"
        )
    info = json.loads(_run([_go(), "mod", "download", "-json", module], timeout=INSTALL_TIMEOUT, env=env))
    swagger = Path(info["Dir"]) / "api" / "openapi-spec" / "swagger.json"
    assert swagger.is_file(), f"{module} has no {swagger}"
    return swagger


def _to_json_schema(node: Any, definitions: dict[str, Any], refs: set[str]) -> Any:
    if isinstance(node, list):
        return [_to_json_schema(item, definitions, refs) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            name = value.rsplit("/", 1)[-1]
            refs.add(name)
            out[key] = f"#/definitions/{name}"
        elif key == "properties":
            required = set(node.get("required", []))
            props = {}
            for prop, schema in value.items():
                converted = _to_json_schema(schema, definitions, refs)
                if prop not in required and isinstance(converted.get("type"), str):
                    converted["type"] = [converted["type"], "null"]
                props[prop] = converted
            out[key] = props
        elif key.startswith("x-kubernetes-") or key in ("format", "description"):
            continue
        else:
            out[key] = _to_json_schema(value, definitions, refs)
    if node.get("format") == "int-or-string":
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _kind_suffix(group: str, version: str) -> str:
    return f"-{group.split('.', maxsplit=1)[0].lower()}-{version.lower()}" if group else f"-{version.lower()}"


def generate_schemas(swagger: Path, target: Path) -> None:
    spec = json.loads(swagger.read_text(encoding="utf-8"))
    definitions: dict[str, Any] = copy.deepcopy(spec["definitions"])
    definitions[INT_OR_STRING] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    definitions[QUANTITY] = {"oneOf": [{"type": "string"}, {"type": "number"}]}
    converted: dict[str, tuple[Any, set[str]]] = {}
    for name, schema in definitions.items():
        refs: set[str] = set()
        converted[name] = (_to_json_schema(schema, definitions, refs), refs)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, schema in definitions.items():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        if len(gvks) != 1:  # e.g. DeleteOptions, WatchEvent: not a resource of one kind
            continue
        gvk = gvks[0]
        needed, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in needed:
                needed.add(current)
                todo.extend(converted[current][1])
        root = copy.deepcopy(converted[name][0])
        root["$schema"] = "http://json-schema.org/draft-04/schema#"
        root["definitions"] = {n: converted[n][0] for n in sorted(needed - {name})}
        filename = f"{gvk['kind'].lower()}{_kind_suffix(gvk['group'], gvk['version'])}.json"
        (tmp / filename).write_text(json.dumps(root), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)


# The custom resources' schemas, from the CRDs in the operators' Go modules (same conversion).
CRDS = (
    ("github.com/kedacore/keda/v2", "v2.16.1", "config/crd/bases/keda.sh_scaledobjects.yaml"),
    (
        "github.com/prometheus-operator/prometheus-operator",
        "v0.79.2",
        "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml",
    ),
)


def _module_file(module: str, version: str, path: str) -> Path | None:
    """A file of a Go module: from the module cache, or (CI only) downloaded into it first."""
    go = shutil.which("go")
    if go is None:
        return None
    escaped = re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module)
    cached = Path(_run([go, "env", "GOMODCACHE"]).strip()) / f"{escaped}@{version}" / path
    if cached.is_file() or not IN_CI:
        return cached if cached.is_file() else None
    info = json.loads(_run([go, "mod", "download", "-json", f"{module}@{version}"], timeout=INSTALL_TIMEOUT))
    found = Path(info["Dir"]) / path
    assert found.is_file(), f"{module}@{version} has no {path}"
    return found


def _crd_to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [_crd_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if node.get("x-kubernetes-int-or-string"):
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    out = {
        key: (
            {k: _crd_to_json_schema(v) for k, v in value.items()}
            if key == "properties"
            else _crd_to_json_schema(value)
        )
        for key, value in node.items()
        if not key.startswith("x-kubernetes-") and key not in ("format", "description", "nullable")
    }
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    closed = not node.get("x-kubernetes-preserve-unknown-fields")
    if closed and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def generate_crd_schemas(crd_file: Path, target: Path) -> None:
    for crd in yaml.safe_load_all(crd_file.read_text(encoding="utf-8")):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        spec = crd["spec"]
        for version in spec["versions"]:
            schema = _crd_to_json_schema(version["schema"]["openAPIV3Schema"])
            schema["$schema"] = "http://json-schema.org/draft-04/schema#"
            name = f"{spec['names']['kind'].lower()}{_kind_suffix(spec['group'], version['name'])}.json"
            (target / name).write_text(json.dumps(schema), encoding="utf-8")


@pytest.fixture(scope="session")
def kubernetes_schemas() -> Path:
    target = TOOLS_DIR / "kubernetes-json-schema" / f"v{K8S_VERSION}"
    if not (target / "deployment-apps-v1.json").is_file():
        generate_schemas(_swagger(), target)
    for module, version, path in CRDS:
        marker = target / f".{module.replace('/', '_')}@{version}"
        if not marker.is_file() and (crd_file := _module_file(module, version, path)) is not None:
            generate_crd_schemas(crd_file, target)
            marker.touch()
    return target


# --- helm lint / template ----------------------------------------------------------------------------
KUBE_VERSION = ["--kube-version", K8S_VERSION]
SET_OPTIONAL_ON = ["--set", "keda.enabled=true", "--set", "serviceMonitor.enabled=true"]


def helm_template(helm: str, *args: str) -> tuple[str, list[dict[str, Any]]]:
    out = _run([helm, "template", "ws", str(CHART), "--namespace", "news", *KUBE_VERSION, *args])
    docs = [d for d in yaml.safe_load_all(out) if d]
    return out, docs


def by_kind_name(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for doc in docs:
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in found, f"{key} rendered twice"
        found[key] = doc
    return found


@pytest.fixture(scope="module")
def rendered(helm: str) -> dict[tuple[str, str], dict[str, Any]]:
    return by_kind_name(helm_template(helm)[1])


@pytest.fixture(scope="module")
def rendered_optional(helm: str) -> dict[tuple[str, str], dict[str, Any]]:
    return by_kind_name(helm_template(helm, *SET_OPTIONAL_ON)[1])


def test_helm_lint(helm: str) -> None:
    out = _run([helm, "lint", "--strict", str(CHART), *KUBE_VERSION])
    assert "0 chart(s) failed" in out, out
    _run(
        [
            helm,
            "lint",
            "--strict",
            str(CHART),
            *KUBE_VERSION,
            *SET_OPTIONAL_ON,
            "--set",
            "secrets.existingSecret=ws",
        ]
    )


def test_rendered_resources(rendered: dict[tuple[str, str], dict[str, Any]]) -> None:
    for (kind, name), doc in rendered.items():
        assert doc.get("apiVersion") and kind and name, doc
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name) and len(name) <= 63, name
    assert set(rendered) == {
        ("ServiceAccount", "ws-wirestream"),
        ("ConfigMap", "ws-wirestream"),
        ("ConfigMap", "ws-wirestream-sources"),
        ("Secret", "ws-wirestream"),
        ("Secret", "ws-wirestream-init"),
        ("Job", "ws-wirestream-init"),
        ("Deployment", "ws-wirestream-worker"),
        ("Deployment", "ws-wirestream-scraper"),
        ("Service", "ws-wirestream-worker"),
        ("Service", "ws-wirestream-scraper"),
    }


def containers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["spec"]["template"]["spec"]["containers"]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def assert_hardened(doc: dict[str, Any]) -> None:
    pod = doc["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    for container in containers(doc):
        security = container["securityContext"]
        for key, expected in EXPECTED_CONTAINER_SECURITY.items():
            assert security.get(key) == expected, f"{doc['metadata']['name']}: securityContext.{key}"
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert {"/var/lib/wirestream", "/tmp"} <= set(mounts), mounts
        volumes = {v["name"]: v for v in pod["volumes"]}
        for path in ("/var/lib/wirestream", "/tmp"):
            assert "emptyDir" in volumes[mounts[path]], path
        assert container["image"] == f"wirestream:{package_version()}"
        assert container["imagePullPolicy"] == "IfNotPresent"


def assert_secrets_from(container: dict[str, Any], secret: str) -> None:
    env = env_of(container)
    for var in SECRET_VARS:
        ref = env[var]["valueFrom"]["secretKeyRef"]
        assert ref == {"name": secret, "key": var, "optional": True}, ref
        assert "value" not in env[var]


def test_worker_deployment(rendered: dict[tuple[str, str], dict[str, Any]]) -> None:
    worker = rendered[("Deployment", "ws-wirestream-worker")]
    assert worker["spec"]["replicas"] == 1
    assert_hardened(worker)
    (container,) = containers(worker)
    assert container["args"] == ["worker", "--no-init"]  # the init Job set up; the worker may not
    assert container["ports"] == [{"name": "http", "containerPort": 6066, "protocol": "TCP"}]
    assert container["livenessProbe"]["httpGet"] == {"path": "/live/", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready/", "port": "http"}
    assert container["resources"]["requests"] and container["resources"]["limits"]
    env = env_of(container)
    assert env["WIRESTREAM_WORKER_INSTANCE_ID"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.name"}}
    assert container["envFrom"] == [{"configMapRef": {"name": "ws-wirestream"}}]
    assert_secrets_from(container, "ws-wirestream")
    assert worker["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > 30


def test_scraper_deployment(rendered: dict[tuple[str, str], dict[str, Any]], values: dict[str, Any]) -> None:
    scraper = rendered[("Deployment", "ws-wirestream-scraper")]
    assert scraper["spec"]["replicas"] == 1
    assert_hardened(scraper)
    (container,) = containers(scraper)
    assert container["args"] == ["scrape", "--sources", "/etc/wirestream/sources.yaml"]
    assert container["ports"] == [{"name": "metrics", "containerPort": 9108, "protocol": "TCP"}]
    assert_secrets_from(container, "ws-wirestream")
    mount = next(m for m in container["volumeMounts"] if m["mountPath"] == "/etc/wirestream")
    volume = next(v for v in scraper["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"])
    assert volume["configMap"]["name"] == "ws-wirestream-sources"
    sources = rendered[("ConfigMap", "ws-wirestream-sources")]["data"]["sources.yaml"]
    assert yaml.safe_load(sources) == values["scraper"]["sources"]


def test_configuration_and_secrets(rendered: dict[tuple[str, str], dict[str, Any]]) -> None:
    config = rendered[("ConfigMap", "ws-wirestream")]["data"]
    assert all(key.startswith("WIRESTREAM_") for key in config), sorted(config)
    assert not set(config) & SECRET_VARS, "a secret in the ConfigMap"
    assert config["WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert config["WIRESTREAM_ELASTICSEARCH_URL"] == "http://elasticsearch:9200"
    assert config["WIRESTREAM_INDEX_ALIAS"] == "news-stories"
    assert config["WIRESTREAM_TOPIC_PREFIX"] == "news"
    assert config["WIRESTREAM_TOPIC_PARTITIONS"] == "3"
    assert config["WIRESTREAM_LOG_FORMAT"] == "json"
    assert config["WIRESTREAM_SCRAPE_METRICS_PORT"] == "9108"
    assert config["WIRESTREAM_WORKER_WEB_PORT"] == "6066"
    assert config["WIRESTREAM_STATE_DIR"] == "/var/lib/wirestream"
    # No secret values by default: the chart's Secrets are empty.
    assert not rendered[("Secret", "ws-wirestream")].get("data")


def test_init_job_is_a_hook_with_the_same_configuration(
    rendered: dict[tuple[str, str], dict[str, Any]],
) -> None:
    job = rendered[("Job", "ws-wirestream-init")]
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert_hardened(job)
    (container,) = containers(job)
    assert container["args"] == ["init"]
    config = rendered[("ConfigMap", "ws-wirestream")]["data"]
    env = env_of(container)
    assert {k: env[k]["value"] for k in config} == config
    assert_secrets_from(container, "ws-wirestream-init")
    # Its hook Secret comes first and is deleted once the hook succeeded.
    secret = rendered[("Secret", "ws-wirestream-init")]["metadata"]["annotations"]
    assert secret["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert int(secret["helm.sh/hook-weight"]) < int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    assert "hook-succeeded" in secret["helm.sh/hook-delete-policy"]


def test_services(rendered: dict[tuple[str, str], dict[str, Any]]) -> None:
    for role, port_name, port in (("worker", "http", 6066), ("scraper", "metrics", 9108)):
        service = rendered[("Service", f"ws-wirestream-{role}")]
        assert service["spec"]["ports"] == [
            {"name": port_name, "port": port, "targetPort": port_name, "protocol": "TCP"}
        ]
        pods = rendered[("Deployment", f"ws-wirestream-{role}")]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"].items() <= pods.items(), role
        assert service["metadata"]["labels"]["wirestream.io/job"] == f"wirestream-{role}"


def test_existing_secret_is_used_and_none_created(helm: str) -> None:
    _, docs = helm_template(helm, "--set", "secrets.existingSecret=wirestream-credentials")
    found = by_kind_name(docs)
    assert not [key for key in found if key[0] == "Secret"], "a Secret rendered despite existingSecret"
    for kind, name in (
        ("Deployment", "ws-wirestream-worker"),
        ("Deployment", "ws-wirestream-scraper"),
        ("Job", "ws-wirestream-init"),
    ):
        assert_secrets_from(containers(found[(kind, name)])[0], "wirestream-credentials")


def test_secret_values_land_only_in_secrets(helm: str) -> None:
    out, docs = helm_template(helm, "--set", "secrets.elasticsearchPassword=s3cr3t-pw")
    assert "s3cr3t-pw" not in out
    found = by_kind_name(docs)
    for name in ("ws-wirestream", "ws-wirestream-init"):
        assert found[("Secret", name)]["data"] == {"WIRESTREAM_ELASTICSEARCH_PASSWORD": "czNjcjN0LXB3"}


def test_keda_and_service_monitors(rendered_optional: dict[tuple[str, str], dict[str, Any]]) -> None:
    worker = rendered_optional[("Deployment", "ws-wirestream-worker")]
    assert "replicas" not in worker["spec"], "KEDA owns the replica count"
    scaled = rendered_optional[("ScaledObject", "ws-wirestream-worker")]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"]["name"] == "ws-wirestream-worker"
    assert (scaled["spec"]["minReplicaCount"], scaled["spec"]["maxReplicaCount"]) == (1, 3)
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "kafka"
    assert trigger["metadata"]["bootstrapServers"] == "kafka:9092"
    assert trigger["metadata"]["consumerGroup"] == WORKER_GROUP
    assert trigger["metadata"]["topic"] == "news.pages.v1"
    assert int(trigger["metadata"]["lagThreshold"]) > 0

    for role, port in (("worker", "http"), ("scraper", "metrics")):
        monitor = rendered_optional[("ServiceMonitor", f"ws-wirestream-{role}")]
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        assert monitor["spec"]["endpoints"][0]["port"] == port
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
        service = rendered_optional[("Service", f"ws-wirestream-{role}")]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        # The job name rules.yaml's WirestreamDown matches.
        assert re.search("wirestream", service["metadata"]["labels"][monitor["spec"]["jobLabel"]])


CUSTOM_GROUPS = ("keda.sh", "monitoring.coreos.com")


def schema_file(kind: str, api_version: str) -> str:
    group, _, version = api_version.rpartition("/")
    return f"{kind.lower()}{_kind_suffix(group, version)}.json"


@pytest.mark.parametrize("args", [[], SET_OPTIONAL_ON], ids=["defaults", "keda+servicemonitor"])
def test_kubeconform_strict(helm: str, kubeconform: str, kubernetes_schemas: Path, args: list[str]) -> None:
    out, docs = helm_template(helm, *args)
    proc = subprocess.run(
        [
            kubeconform,
            "-strict",
            "-ignore-missing-schemas",
            "-summary",
            "-output",
            "json",
            "-schema-location",
            str(kubernetes_schemas / SCHEMA_LOCATION),
            "-",
        ],
        input=out,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"kubeconform:\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(proc.stdout)
    summary = result["summary"]
    # Only custom resources without a generated schema (operator module not cached) may be skipped.
    without_schema = [
        d for d in docs if not (kubernetes_schemas / schema_file(d["kind"], d["apiVersion"])).is_file()
    ]
    assert all(d["apiVersion"].split("/")[0] in CUSTOM_GROUPS for d in without_schema), without_schema
    assert summary["skipped"] == len(without_schema), result
    assert summary["valid"] == len(docs) - len(without_schema), result
    assert summary["invalid"] == 0 and summary["errors"] == 0, result
    if without_schema:
        print("not validated (no CRD schema in the Go module cache):", [d["kind"] for d in without_schema])


def test_generated_schemas_reject_what_kubernetes_rejects(
    kubeconform: str, kubernetes_schemas: Path, tmp_path: Path
) -> None:
    """The offline schemas are strict: an unknown field and a wrong type each fail."""

    def deployment(name: str, replicas: Any, container: dict[str, Any]) -> dict[str, Any]:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"a": "b"}},
                "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [container]}},
            },
        }

    docs: list[dict[str, Any]] = [
        deployment("unknown-field", 1, {"name": "c", "image": "i", "securityContex": {}}),
        deployment("wrong-type", "two", {"name": "c", "image": "i"}),
        deployment("good", 2, {"name": "c", "image": "i", "ports": [{"containerPort": 80}]}),
    ]
    if (kubernetes_schemas / "scaledobject-keda-v1alpha1.json").is_file():
        docs.append(
            {
                "apiVersion": "keda.sh/v1alpha1",
                "kind": "ScaledObject",
                "metadata": {"name": "bad-scaledobject"},
                "spec": {
                    "scaleTargetRef": {"name": "w"},
                    "triggers": [{"type": "kafka", "metadata": {}}],
                    "maxReplicas": 3,
                },
            }
        )
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump_all(docs), encoding="utf-8")
    proc = subprocess.run(
        [kubeconform, "-strict", "-schema-location", str(kubernetes_schemas / SCHEMA_LOCATION), str(path)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert any("unknown-field is invalid" in line and "securityContex" in line for line in lines), lines
    assert any("wrong-type is invalid" in line and "replicas" in line for line in lines), lines
    assert not any("good is invalid" in line for line in lines), lines
    if len(docs) > 3:
        assert any("bad-scaledobject is invalid" in line and "maxReplicas" in line for line in lines), lines


@pytest.mark.parametrize(
    "setting",
    ["worker.port=abc", "keda.enabled=yes-please", "config.kafkaSecurityProtocol=SASL", "extraEnv.BULK=1"],
)
def test_values_schema_refuses_wrong_values(helm: str, setting: str) -> None:
    proc = subprocess.run(
        [helm, "template", "ws", str(CHART), *KUBE_VERSION, "--set", setting],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert proc.returncode != 0 and "schema" in proc.stderr, proc.stderr


def test_sources_file_is_mounted_verbatim(helm: str) -> None:
    _, docs = helm_template(helm, "--set-file", f"scraper.sourcesFile={SOURCES_EXAMPLE}")
    sources = by_kind_name(docs)[("ConfigMap", "ws-wirestream-sources")]["data"]["sources.yaml"]
    assert sources.strip() == SOURCES_EXAMPLE.read_text(encoding="utf-8").strip()


def test_extra_env_takes_settings_but_refuses_secrets(helm: str) -> None:
    _, docs = helm_template(helm, "--set-string", "extraEnv.WIRESTREAM_BULK_BATCH_SIZE=1000")
    found = by_kind_name(docs)
    assert found[("ConfigMap", "ws-wirestream")]["data"]["WIRESTREAM_BULK_BATCH_SIZE"] == "1000"
    assert (
        env_of(containers(found[("Job", "ws-wirestream-init")])[0])["WIRESTREAM_BULK_BATCH_SIZE"]["value"]
        == "1000"
    )
    proc = subprocess.run(
        [helm, "template", "ws", str(CHART), *KUBE_VERSION, "--set", "extraEnv.WIRESTREAM_KAFKA_PASSWORD=x"],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    assert proc.returncode != 0 and "is a secret" in proc.stderr, proc.stderr


def test_metric_list_matches_what_the_pipeline_registers() -> None:
    """The names the rules and the dashboard may use are the ones pipeline/observability/metrics.py exports."""
    from pipeline.observability import metrics

    exported: dict[str, set[str]] = {"counter": set(), "gauge": set(), "histogram": set()}
    for family in metrics.REGISTRY.collect():
        name = f"{family.name}_total" if family.type == "counter" else family.name
        exported.setdefault(family.type, set()).add(name)
    assert exported["counter"] == COUNTERS
    assert exported["gauge"] == GAUGES
    assert exported["histogram"] == HISTOGRAMS
