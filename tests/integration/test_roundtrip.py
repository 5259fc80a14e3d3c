"""The real services answer: a message round-trips through Kafka, a document through Elasticsearch."""

from __future__ import annotations

import uuid

import pytest

from pipeline import kafka_clients
from pipeline.config import Settings
from pipeline.index.client import es_client

pytestmark = pytest.mark.integration


def test_kafka_round_trip(isolated: Settings) -> None:
    topic = f"{isolated.topic_prefix}.roundtrip"
    payload = f"hello {uuid.uuid4()}".encode()
    producer = kafka_clients.producer(isolated)
    producer.send(topic, key=b"k", value=payload).get(timeout=30)
    producer.close()

    consumer = kafka_clients.consumer(
        isolated,
        topic,
        group_id=f"{isolated.topic_prefix}-g",
        auto_offset_reset="earliest",
        consumer_timeout_ms=15_000,
        session_timeout_ms=10_000,
    )
    try:
        received = [(m.key, m.value) for m in consumer]
    finally:
        consumer.close()
    assert received == [(b"k", payload)]


def test_elasticsearch_round_trip(isolated: Settings) -> None:
    es = es_client(isolated)
    index = f"{isolated.index_alias}-roundtrip"
    try:
        es.index(index=index, id="1", document={"title": "Wirestream round trip"}, refresh=True)
        hits = es.search(index=index, query={"match": {"title": "round"}})["hits"]["hits"]
        assert [h["_id"] for h in hits] == ["1"]
    finally:
        es.indices.delete(index=index, ignore_unavailable=True)
        es.close()
