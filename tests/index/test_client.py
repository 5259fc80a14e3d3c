"""The clients' JSON: orjson both ways, with what the standard library encoder accepted."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from pipeline.config import Settings
from pipeline.index.client import SERIALIZERS, _options


def test_bodies_read_back_as_the_standard_library_reads_them() -> None:
    body = {"title": "Ölüm «Zelensky» 東京", "n": [1, 2.5, None, True], "nested": {"a": {}}}
    data = SERIALIZERS["application/json"].dumps(body)
    assert json.loads(data) == body
    assert SERIALIZERS["application/json"].loads(data) == body
    assert "Ölüm".encode() in data  # UTF-8, not \\u escapes


def test_dates_uuids_and_decimals_are_written_as_before() -> None:
    at, day, key = datetime(2026, 12, 6, 22, 1, 2, 345000, tzinfo=UTC), date(2026, 12, 6), uuid.uuid4()
    data = json.loads(
        SERIALIZERS["application/json"].dumps({"at": at, "day": day, "id": key, "x": Decimal("1.5")})
    )
    assert data == {"at": at.isoformat(), "day": "2026-12-06", "id": str(key), "x": 1.5}


def test_bulk_bodies_are_one_document_a_line() -> None:
    lines = [{"index": {"_id": "a"}}, {"text": "first\nline"}, '{"already":"encoded"}']
    data = SERIALIZERS["application/x-ndjson"].dumps(lines)
    assert [json.loads(line) for line in data.decode().splitlines()] == [
        {"index": {"_id": "a"}},
        {"text": "first\nline"},
        {"already": "encoded"},
    ]


def test_every_client_is_given_them() -> None:
    assert _options(Settings())["serializers"] is SERIALIZERS
