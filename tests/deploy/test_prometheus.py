"""Checks deploy/prometheus/rules.yaml with Prometheus' own `promtool check rules`.

tests/deploy/test_helm.py checks the rules in Python (every alert complete, every metric one the
pipeline exports); this runs the real parser: the file's layout, each PromQL expression, the `for`
durations, the label and annotation templates, and the linter (`--lint=all --lint-fatal`: duplicate
rules fail). A second test makes sure promtool does reject a rules file with a broken expression, so
the first cannot pass by checking nothing.

promtool is found and installed as test_helm.py does helm and kubeconform (its `_tool`): on PATH, then
in WIRESTREAM_DEPLOY_TOOLS_DIR/bin (default ~/.cache/wirestream/deploy-tools/bin); under CI=true a
missing promtool is built there from the Go module proxy first (measured with empty Go caches: 3 min
48 s, about 1.8 GB of modules; 6 s with the caches filled), outside CI the tests skip without it.
By hand (Prometheus 3.x is the Go module's v0.3xx, e.g. 3.16.0 = v0.316.0):

    GOBIN=~/.cache/wirestream/deploy-tools/bin CGO_ENABLED=0 go install -trimpath \\
        -ldflags="-X github.com/prometheus/common/version.Version=3.16.0" \\
        github.com/prometheus/prometheus/cmd/promtool@v0.316.0
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.deploy.test_helm import RULES, RUN_TIMEOUT, _run, _tool

PROMETHEUS_VERSION = "v0.316.0"  # the Go module's version of Prometheus 3.16.0


def prometheus_release(module_version: str) -> str:
    """The Prometheus release a Go module version stands for: v0.316.0 is 3.16.0, v0.315.1 is 3.15.1."""
    _, minor, patch = module_version.removeprefix("v").split(".")
    return f"{int(minor) // 100}.{int(minor) % 100}.{patch}"


# A rule file whose layout is valid but whose expression is not PromQL (an unclosed parenthesis).
BROKEN_RULES = """\
groups:
  - name: broken
    rules:
      - alert: BrokenExpression
        expr: sum by (job) (rate(up[5m]) > 0
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "never loads"
"""


@pytest.fixture(scope="session")
def promtool() -> str:
    binary = _tool(
        "promtool",
        "github.com/prometheus/prometheus/cmd/promtool",
        PROMETHEUS_VERSION,
        f"-X github.com/prometheus/common/version.Version={prometheus_release(PROMETHEUS_VERSION)}",
    )
    print(_run([binary, "--version"]).splitlines()[0])
    return binary


def test_prometheus_release_of_a_module_version() -> None:
    assert prometheus_release("v0.316.0") == "3.16.0"
    assert prometheus_release("v0.305.1") == "3.5.1"


def test_promtool_accepts_the_rules(promtool: str) -> None:
    out = _run([promtool, "check", "rules", "--lint=all", "--lint-fatal", str(RULES)])
    assert "SUCCESS" in out, out


def test_promtool_rejects_a_broken_expression(promtool: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_RULES, encoding="utf-8")
    proc = subprocess.run(
        [promtool, "check", "rules", str(broken)],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "BrokenExpression" in output and "parse error" in output, output
