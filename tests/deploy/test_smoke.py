"""The image for real: deploy/smoke-test builds deploy/Dockerfile with podman and runs init, a worker and
a scrape round from containers against Kafka and Elasticsearch, then cleans up after itself.

Skipped when podman is not installed (Docker's daemon cannot run on the development machines; the
smoke test is podman's). Slow: minutes on the first run (a Debian base image, then pip in the build),
about half a minute once the base image and the build's layers are cached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import Settings

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SMOKE_TEST = ROOT / "deploy" / "smoke-test"
TIMEOUT_SECONDS = 1800  # a cold run makes the base image and downloads every wheel


@pytest.mark.skipif(
    shutil.which("podman") is None, reason="podman is not installed (deploy/smoke-test needs it)"
)
def test_the_image_builds_runs_and_indexes_a_page(stack: Settings) -> None:
    assert os.access(SMOKE_TEST, os.X_OK), "deploy/smoke-test is not executable"
    env = {
        **os.environ,
        "WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS": stack.kafka_bootstrap_servers,
        "WIRESTREAM_ELASTICSEARCH_URL": stack.elasticsearch_url,
        "SMOKE_PYTHON": sys.executable,  # the news site and the teardown run in this interpreter
    }
    try:
        done = subprocess.run(
            [str(SMOKE_TEST)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"deploy/smoke-test ran over {TIMEOUT_SECONDS} s:\n{exc.output or ''}", pytrace=False)
    output = done.stdout
    assert done.returncode == 0, f"deploy/smoke-test failed (exit {done.returncode}):\n{output}"
    for check in (
        "OK   init:",
        "OK   worker /ready/ answered 200",
        "OK   scrape round done",
        "OK   Elasticsearch: ",
        "OK   wirestream search (container) finds the harbour article",
        "OK   worker /metrics 200",
        "PASSED",
    ):
        assert check in output, f"{check!r} not in the smoke test's output:\n{output}"
