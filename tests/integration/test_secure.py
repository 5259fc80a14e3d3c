"""The pipeline on a secured stack (`stack up --secure`): Kafka on SASL_SSL with SCRAM-SHA-512 and ACLs,
Elasticsearch on HTTPS with security on, every component with its own principal from
`wirestream access grant` and nothing more. A second stack of its own (its own state folder, ports
and certificates), started for this module and removed after it."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from elasticsearch import AuthorizationException
from kafka.errors import TopicAuthorizationFailedError
from pydantic import SecretStr

from pipeline import kafka_clients
from pipeline.access.apply import grant, read_env_file
from pipeline.alerts.rules import Rule
from pipeline.alerts.store import add_rule, fired
from pipeline.bootstrap import init, scoped
from pipeline.config import Settings, as_env, get_settings
from pipeline.index.client import es_client
from pipeline.index.template import index_template
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.scrape.service import scrape
from pipeline.stack import secure
from pipeline.stack import services as local
from pipeline.tools.newsite import NewsSite, fake_dns
from pipeline.tools.worker_process import running_worker
from pipeline.topics import TopicNames
from tests.conftest import _unavailable
from tests.helpers import read_all, wait_for

pytestmark = pytest.mark.integration

COMPONENTS = ("init", "worker", "scraper", "journalist")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@pytest.fixture(scope="module")
def secured() -> Iterator[Settings]:
    """The secured stack's administrator settings, scoped to this module's topics and alias."""
    state = Path(tempfile.mkdtemp(prefix="wirestream-secure-"))
    state.chmod(0o755)  # Elasticsearch's unprivileged user walks into <state>/elasticsearch
    kafka, controller, http, transport = _free_ports(4)
    settings = get_settings().model_copy(
        update={
            "state_dir": state,
            "stack_kafka_port": kafka,
            "stack_kafka_controller_port": controller,
            "stack_elasticsearch_port": http,
            "stack_elasticsearch_transport_port": transport,
            "stack_elasticsearch_heap": "512m",
        }
    )
    say = lambda line: print(f"[secure stack] {line}", file=sys.stderr)  # noqa: E731
    try:
        local.set_up_secure(settings)
        local.up(settings, say)
    except Exception as exc:
        local.down(settings, say)
        shutil.rmtree(state, ignore_errors=True)
        _unavailable(f"the secured local stack did not start: {exc}")
    try:
        tag = "s" + uuid.uuid4().hex[:8]
        yield scoped(secure.admin_settings(settings), tag, state_dir=state / "work", topic_partitions=2)
    finally:
        local.down(settings, say)
        shutil.rmtree(state, ignore_errors=True)


@pytest.fixture(scope="module")
def principals(secured: Settings) -> dict[str, Settings]:
    """Each component's settings, from the env files `access grant` wrote (no administrator in them)."""
    out = secured.state_dir / "access"
    grant(secured, out, lambda line: print(f"[access] {line}", file=sys.stderr))
    found = {name: read_env_file(out / f"{name}.env", secured) for name in COMPONENTS}
    for name, settings in found.items():
        assert (out / f"{name}.env").stat().st_mode & 0o077 == 0, f"{name}.env is readable by others"
        assert settings.kafka_username != secure.ADMIN and settings.elasticsearch_username is None
    return found


def _page(url: str, words: str) -> RawPage:
    body = (
        f"{words.title()}\n\n"
        f"The harbour authority said on Monday that {words} would change how the port works this winter, "
        "after months of talks with the shipping lines and the unions about night shifts and pay.\n\n"
        "Officials expect the first results in spring, when the new timetable for the ferries begins."
    )
    return RawPage(url=url, canonical_url=url, site="secure-test", content_type="text/plain", body=body)


def test_the_pipeline_runs_end_to_end_with_each_component_as_its_own_principal(
    principals: dict[str, Settings], tmp_path: Path
) -> None:
    init(principals["init"], timeout=60)
    worker = principals["worker"].model_copy(update={"bulk_linger_seconds": 0.3})
    journalist = principals["journalist"]
    with running_worker(worker, tmp_path / "worker.log", "--no-init") as proc:
        publish_pages(
            principals["scraper"], [_page("https://a.example/cold-storage", "a cold storage terminal")]
        )
        es = es_client(journalist)
        try:

            def searchable() -> bool:
                assert proc.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
                hits = es.search(index=journalist.index_alias, query={"match": {"text": "cold storage"}})
                return bool(hits["hits"]["total"]["value"])

            wait_for(searchable, 90, "the story searchable by the journalist")
            add_rule(journalist, Rule(name="reefer", query="refrigerated"))
            time.sleep(3)  # rules are read again every few seconds
            publish_pages(
                principals["scraper"], [_page("https://b.example/reefer", "a refrigerated container depot")]
            )
            alerts = wait_for(lambda: fired(journalist, "reefer"), 90, "the alert fired")
            assert alerts[0]["rule"] == "reefer"
        finally:
            es.close()
    log = (tmp_path / "worker.log").read_text()
    assert "security_exception" not in log and "AuthorizationFailed" not in log, log[-3000:]


def test_a_principal_is_refused_what_its_component_does_not_need(principals: dict[str, Settings]) -> None:
    topics = TopicNames.from_settings(principals["scraper"])
    # the scraper publishes pages; it may not write stories (nor read them: a consumer sees none)
    producer = kafka_clients.producer(principals["scraper"], max_block_ms=10_000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(topics.stories, b"forged").get(timeout=20)
    finally:
        producer.close()
    # the journalist reads stories; it may not write them
    es = es_client(principals["journalist"])
    try:
        with pytest.raises(AuthorizationException):
            es.index(index=principals["journalist"].index_alias, document={"text": "forged"})
    finally:
        es.close()
    # the worker writes stories; only init manages the index template
    es = es_client(principals["worker"])
    try:
        alias = principals["worker"].index_alias
        with pytest.raises(AuthorizationException):
            es.indices.put_index_template(name=alias, **index_template(alias))
    finally:
        es.close()


def test_the_scraper_fetches_and_publishes_as_its_own_principal(
    secured: Settings, principals: dict[str, Settings], tmp_path: Path
) -> None:
    sources = tmp_path / "sources.yaml"
    with NewsSite() as site:
        sources.write_text(
            f"""
sites:
  - name: newsite
    language: en
    feeds: ["{site.url("/feed.xml")}"]
""",
            encoding="utf-8",
        )
        scraper = principals["scraper"].model_copy(update={"scrape_allow_hosts": site.host})
        summaries = asyncio.run(scrape(scraper, sources, once=True, links=False, resolve=fake_dns))
    assert summaries[0].counts["published"] > 0
    pages = [v for _, v in read_all(secured, TopicNames.from_settings(secured).pages) if v]
    assert any(b"newsite" in page for page in pages)


def _wirestream(settings: Settings, *args: str) -> tuple[int, str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIRESTREAM_")}
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        env={**env, **as_env(settings)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return proc.returncode, proc.stderr.strip(), time.monotonic() - started


@pytest.mark.parametrize(
    ("component", "change", "command", "code", "words"),
    [
        ("init", {"kafka_password": SecretStr("wrong")}, ("init",), 4, "refused user"),
        ("init", {"kafka_ssl_cafile": None}, ("init",), 5, "TLS with Kafka"),
        (
            "journalist",
            {"elasticsearch_api_key": SecretStr("d3Jvbmc6d3Jvbmc=")},
            ("search", "x"),
            4,
            "refused",
        ),
        ("journalist", {"elasticsearch_ca_file": None}, ("search", "x"), 5, "TLS with Elasticsearch"),
    ],
)
def test_wrong_credentials_or_an_untrusted_certificate_end_at_once_with_one_line(
    principals: dict[str, Settings],
    component: str,
    change: dict[str, object],
    command: tuple[str, ...],
    code: int,
    words: str,
) -> None:
    settings = principals[component].model_copy(update=change)
    rc, stderr, seconds = _wirestream(settings, *command)
    assert rc == code, stderr
    assert seconds < 20, f"took {seconds:.1f} s"
    assert words in stderr and len(stderr.splitlines()) == 1, stderr
