"""The walking skeleton on the real stack: publish -> worker -> Elasticsearch, and what goes wrong."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from pipeline import kafka_clients
from pipeline.bootstrap import init
from pipeline.config import Settings, get_settings
from pipeline.demo.runner import PAGES_DIR
from pipeline.fingerprint import article_id
from pipeline.index.client import es_client
from pipeline.messages import DeadLetter, Message, RawPage, Story, TeaserLink
from pipeline.publish import publish_pages, publish_raw
from pipeline.search import search
from pipeline.stack import services as local
from pipeline.topics import TopicNames
from tests.helpers import wait_for

pytestmark = pytest.mark.integration
Worker = Callable[..., Any]
M = TypeVar("M", bound=Message)


def page(n: int | str, body: str | None = None, site: str = "wire-test") -> RawPage:
    url = f"https://{site}.example/news/{n}"
    text = body or (
        f"Harbour workers vote on new contract {n}\n\n"
        f"Dock workers in the port city voted on Tuesday on a new contract, number {n}, after weeks of talks.\n"
        f"The union said agreement {n} keeps pensions intact and adds two rest days a month."
    )
    return RawPage(url=url, canonical_url=url, site=site, content_type="text/plain", body=text)


def count(settings: Settings, query: dict[str, Any] | None = None) -> int:
    es = es_client(settings)
    try:
        es.indices.refresh(index=settings.index_alias)
        return int(es.count(index=settings.index_alias, query=query or {"match_all": {}})["count"])
    finally:
        es.close()


def read_topic(settings: Settings, topic: str, model: type[M], expected: int, timeout: float = 90) -> list[M]:
    """Consume ``topic`` from the start until ``expected`` messages arrived (or time runs out)."""
    consumer = kafka_clients.consumer(
        settings,
        topic,
        group_id=f"{settings.topic_prefix}-dlq-reader",
        auto_offset_reset="earliest",
        consumer_timeout_ms=2_000,
        session_timeout_ms=10_000,
        max_partition_fetch_bytes=64 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    received: list[M] = []
    deadline = time.monotonic() + timeout
    try:
        while len(received) < expected and time.monotonic() < deadline:
            received.extend(model.model_validate_json(m.value) for m in consumer)
    finally:
        consumer.close()
    return received


@pytest.fixture
def ready(isolated: Settings) -> Settings:
    init(isolated, timeout=60)
    return isolated


def test_init_is_safe_to_run_again(ready: Settings) -> None:
    again = init(ready, timeout=60)
    assert again["topics_created"] == [] and again["index_created"] is False


def test_published_page_becomes_searchable_and_republishing_adds_nothing(
    ready: Settings, worker: Worker
) -> None:
    worker()
    publish_pages(ready, [page("one")])
    wait_for(lambda: count(ready) == 1, 90, "the story to be indexed")
    hits = search(ready, '"dock workers"')
    assert [h["title"] for h in hits] == ["Harbour workers vote on new contract one"]
    assert hits[0]["lang"] == "en" and hits[0]["kind"] == "article"

    publish_pages(ready, [page("one"), page("one")])  # the same page twice more ...
    publish_pages(ready, [page("two")])  # ... then a sentinel: once it is in, the replays were processed
    wait_for(lambda: count(ready, {"term": {"url": page("two").canonical_url}}) == 1, 90, "the sentinel")
    assert count(ready) == 2


def test_poison_messages_are_dead_lettered_and_valid_pages_indexed(ready: Settings, worker: Worker) -> None:
    names = TopicNames.from_settings(ready)
    empty = page("empty").model_copy(update={"body": "   "})
    huge = page("huge", body="Huge page\n\n" + "word " * (4 * 1024 * 1024))  # ~20 MB, over the 5 MB cap
    rejected_story = Story(
        id="story-es-rejects",
        kind="article",
        title="t",
        text="text",
        site="wire-test",
        page_url="https://wire-test.example/x",
        fingerprint="f",
        position=0,
        credit="X" * 40_000,  # a keyword term over Lucene's 32 KB limit: Elasticsearch refuses the document
    )
    worker()
    publish_raw(
        ready,
        names.pages,
        [
            (b"valid-1", page("valid-1").to_bytes()),
            (b"bad-json", b'{"url": "https://x.example/", "body": '),
            (b"bad-utf8", b'{"url": "\xff\xfe\xfd"}'),
            (b"empty", empty.to_bytes()),
            (b"huge", huge.to_bytes()),
            (b"binary", os.urandom(4096)),
            (b"valid-2", page("valid-2").to_bytes()),
        ],
    )
    publish_raw(ready, names.stories, [(rejected_story.id.encode(), rejected_story.to_bytes())])

    letters = read_topic(ready, names.deadletter, DeadLetter, expected=6)
    by_key = {(letter.original_key or b"").decode(): letter for letter in letters}
    assert set(by_key) == {"bad-json", "bad-utf8", "empty", "huge", "binary", "story-es-rejects"}
    assert "Invalid JSON" in by_key["bad-json"].reason
    assert "empty" in by_key["empty"].reason
    assert "over the cap" in by_key["huge"].reason and len(by_key["huge"].original) > 20_000_000
    assert by_key["binary"].original and by_key["binary"].stage == "split"
    story_letter = by_key["story-es-rejects"]
    assert story_letter.stage == "index"
    assert "document_parsing_exception" in story_letter.reason and "immense term" in story_letter.reason
    assert all(letter.topic and letter.offset is not None for letter in letters)

    wait_for(lambda: count(ready) == 2, 60, "both valid pages to be indexed")


def test_elasticsearch_outage_loses_nothing_and_duplicates_nothing(ready: Settings, worker: Worker) -> None:
    node = local.Elasticsearch(get_settings())
    if node.running_pid() is None:
        pytest.skip("Elasticsearch was not started by `wirestream stack`, so this test cannot stop it")
    worker(ready.model_copy(update={"bulk_backoff_max_seconds": 2.0}))
    batch = uuid.uuid4().hex[:6]
    publish_pages(ready, [page(f"{batch}-before-{i}") for i in range(10)])
    wait_for(lambda: count(ready) == 10, 90, "the first ten stories")

    node.stop()
    try:
        publish_pages(ready, [page(f"{batch}-during-{i}") for i in range(20)])
        time.sleep(5)  # the index stage is now retrying against a dead node
    finally:
        node.wait_ready(node.start(), timeout=get_settings().stack_start_timeout)
    publish_pages(ready, [page(f"{batch}-before-{i}") for i in range(10)])  # replays, for good measure
    wait_for(lambda: count(ready) == 30, 120, "all thirty stories after the restart")
    time.sleep(2)
    assert count(ready) == 30


def test_stories_carry_language_and_deterministic_ids(ready: Settings, worker: Worker) -> None:
    worker()
    turkish = page(
        "tr",
        body="Belediye yeni parkı açtı\n\nBelediye başkanı, şehrin kuzeyinde yapılan yeni parkın bugün halka "
        "açıldığını söyledi. Parkta çocuklar için oyun alanları ve bisiklet yolları bulunuyor.",
    )
    publish_pages(ready, [turkish])
    wait_for(lambda: count(ready) == 1, 90, "the Turkish story")
    hit = search(ready, "parkı")[0]
    assert hit["lang"] == "tr" and hit["page_url"] == turkish.canonical_url
    assert hit["id"] == article_id(turkish.site, turkish.canonical_url)


def test_multi_story_page_becomes_separate_documents(ready: Settings, worker: Worker) -> None:
    from tests.split.test_segment import AGENCY_PAGE

    worker()
    agency = page("agency", body=AGENCY_PAGE, site="agency")
    publish_pages(ready, [agency])
    wait_for(lambda: count(ready) == 4, 90, "the article and its three teasers")
    hits = search(ready, "Zelensky")
    assert [h["kind"] for h in hits] == ["teaser"]
    assert "Floodwaters" not in (hits[0].get("title") or "")
    article = search(ready, "Sava", kind="article")
    assert len(article) == 1 and article[0]["credit"] == "ILKHA"


def test_site_memory_in_the_worker_recognises_a_repeated_paragraph(ready: Settings, worker: Worker) -> None:
    footer = (
        "Our newsroom is funded by readers like you: support independent journalism from the valley today."
    )

    def valley(n: int) -> RawPage:
        body = (
            f"Valley story number {n}\n\n"
            f"Paragraph one of valley story {n} explains what happened near the river on day {n}.\n"
            f"Paragraph two of valley story {n} adds what the mayor said about it afterwards.\n{footer}"
        )
        return page(f"valley-{n}", body=body, site="valley")

    def publish_and_wait(n: int) -> None:
        publish_pages(ready, [valley(n)])
        wait_for(lambda: count(ready, {"term": {"page_url": valley(n).canonical_url}}) >= 1, 90, f"page {n}")

    def article_text(n: int) -> str:
        hits = search(ready, "valley", site="valley", kind="article", limit=10, every_copy=True)
        return str(next(h for h in hits if h["page_url"] == valley(n).canonical_url)["text"])

    first = worker()
    for n in range(3):  # one at a time: the memory learns from each page before the next
        publish_and_wait(n)
    assert footer not in article_text(2)
    # the memory is the workers' table, not one process's: a new worker knows the footer too
    first.terminate()
    assert first.wait(60) == 0
    worker()
    publish_and_wait(3)
    assert footer not in article_text(3)


def test_headline_only_teasers_go_to_the_links_topic(ready: Settings, worker: Worker) -> None:
    html = (PAGES_DIR / "en-avocado-port.html").read_text(encoding="utf-8")
    url = "https://coastline-tribune.example/business/2026/03/12/mombasa-cold-storage-terminal"
    worker()
    publish_pages(
        ready, [RawPage(url=url, canonical_url=url, site="coast", content_type="text/html", body=html)]
    )
    links = read_topic(ready, TopicNames.from_settings(ready).links, TeaserLink, expected=1)
    assert len(links) == 1 and links[0].page_url == url and links[0].url.startswith("https://")
    wait_for(lambda: count(ready) == 4, 60, "the article and its three teasers")
