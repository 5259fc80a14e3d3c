"""The worker's web port on the real stack: liveness, readiness, and Prometheus metrics that count
what went through."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from pipeline.bootstrap import init
from pipeline.config import Settings
from pipeline.messages import RawPage
from pipeline.publish import publish_pages, publish_raw
from pipeline.topics import TopicNames
from tests.helpers import wait_for
from tests.split.test_segment import AGENCY_PAGE

pytestmark = pytest.mark.integration
Worker = Callable[..., Any]


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def test_live_ready_and_metrics(isolated: Settings, worker: Worker) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = isolated.model_copy(update={"worker_web_enabled": True, "worker_web_port": port})
    init(settings, timeout=60)
    worker(settings)
    wait_for(lambda: get(port, "/live/")[0] == 200, 90, "the worker to be live")
    wait_for(lambda: get(port, "/ready/")[0] == 200, 90, "the worker to be ready")
    page = RawPage(
        url="https://agency.example/m/1",
        canonical_url="https://agency.example/m/1",
        site="agency",
        content_type="text/plain",
        body=AGENCY_PAGE,
    )
    publish_pages(settings, [page])
    publish_raw(settings, TopicNames.from_settings(settings).pages, [(b"poison", b"not json")])

    def metrics() -> str:
        return get(port, "/metrics")[1].decode()

    wait_for(lambda: 'wirestream_pages_total{outcome="split"} 1.0' in metrics(), 90, "the page counted")
    wait_for(lambda: "wirestream_bulk_request_stories_count" in metrics(), 60, "a bulk request counted")
    for line in (
        'wirestream_stories_total{kind="teaser",lang="en"} 3.0',
        'wirestream_pages_total{outcome="dead_letter"} 1.0',
        'wirestream_dead_letters_total{error_type="PermanentError",stage="split"} 1.0',
    ):
        wait_for(lambda line=line: line in metrics(), 30, line)  # type: ignore[misc]
    wait_for(lambda: "wirestream_consumer_lag{" in metrics(), 30, "the consumer lag")
    status, body = get(port, "/ready/")
    assert status == 200 and json.loads(body)["status"] == "ready"
