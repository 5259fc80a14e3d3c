import asyncio
import socket
import urllib.request

from pipeline.cli.scrape import serve_metrics
from pipeline.observability.metrics import DEAD_LETTERS, REGISTRY, exposition
from pipeline.stream import DeadLetters, Record
from tests.deploy.test_helm import COUNTERS, GAUGES, HISTOGRAMS

#: The names deploy/grafana/ and deploy/prometheus/rules.yaml are written against.
NAMES = COUNTERS | GAUGES | HISTOGRAMS


def test_every_metric_of_the_contract_is_registered() -> None:
    registered = {sample.name for family in REGISTRY.collect() for sample in family.samples}
    registered |= {
        family.name + ("_total" if family.type == "counter" else "") for family in REGISTRY.collect()
    }
    assert registered | {name.removesuffix("_total") for name in registered} >= NAMES


def test_a_dead_letter_is_counted_by_stage_and_error_type() -> None:
    before = DEAD_LETTERS.labels("index", "ValidationError")._value.get()
    sent: list[bytes] = []

    async def send(key: bytes | None, value: bytes) -> None:
        sent.append(value)

    asyncio.run(DeadLetters("index", send)(Record("t", 0, 1, None, b"x"), "bad", "ValidationError"))
    assert DEAD_LETTERS.labels("index", "ValidationError")._value.get() == before + 1
    body, content_type = exposition()
    assert b'wirestream_dead_letters_total{error_type="ValidationError",stage="index"}' in body
    assert content_type.startswith("text/plain")


def test_the_scraper_serves_its_metrics_on_its_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    serve_metrics(port)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert b"# TYPE wirestream_scrape_fetches_total counter" in answer.read()
