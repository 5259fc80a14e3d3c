"""Wire messages: frozen, strict, versioned, and decoded into PermanentError when wrong."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from pipeline.errors import PermanentError
from pipeline.messages import DeadLetter, RawPage, Story, decode

FETCHED = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)


def make_page(**overrides: object) -> RawPage:
    fields: dict[str, object] = {
        "url": "https://news.example/a?utm_source=x",
        "canonical_url": "https://news.example/a",
        "site": "example",
        "fetched_at": FETCHED,
        "content_type": "text/plain",
        "body": "Headline\nFirst paragraph.",
    }
    fields.update(overrides)
    return RawPage.model_validate(fields)


def make_story(**overrides: object) -> Story:
    fields: dict[str, object] = {
        "id": "story-1",
        "kind": "teaser",
        "title": "Başlık",
        "text": "Metin, ünlü harflerle: çğıöşü.",
        "lang": "tr",
        "lang_confidence": 0.87,
        "site": "example",
        "url": "https://news.example/b",
        "page_url": "https://news.example/a",
        "first_seen_at": FETCHED,
        "fingerprint": "f" * 32,
        "credit": "AA",
        "position": 3,
    }
    fields.update(overrides)
    return Story.model_validate(fields)


def page_json(**overrides: object) -> dict[str, object]:
    return json.loads(make_page(**overrides).to_bytes())


def reason_of(data: bytes | None, model: type[RawPage] | type[Story] | type[DeadLetter] = RawPage) -> str:
    with pytest.raises(PermanentError) as caught:
        decode(model, data)
    return str(caught.value)


# --- models ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (make_page(), "body"),
        (make_story(), "text"),
        (DeadLetter(stage="split", reason="r", error_type="E", original=b"x"), "reason"),
    ],
)
def test_messages_are_frozen(message: RawPage | Story | DeadLetter, field: str) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        setattr(message, field, "changed")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="surprise"):
        make_page(surprise="!")
    with pytest.raises(ValidationError, match="surprise"):
        make_story(surprise="!")


def test_unknown_fields_on_the_wire_are_a_permanent_error() -> None:
    data = json.dumps({**page_json(), "surprise": 1}).encode()
    assert "surprise" in reason_of(data)


def test_new_messages_carry_schema_version_1() -> None:
    assert page_json()["schema_version"] == 1
    assert json.loads(make_story().to_bytes())["schema_version"] == 1


# --- decode: what cannot be read is a PermanentError -------------------------------------------


def test_invalid_json_is_a_permanent_error() -> None:
    assert "Invalid JSON" in reason_of(b'{"url": "https://news.example/a",')


def test_invalid_utf8_is_a_permanent_error() -> None:
    assert "RawPage" in reason_of(b"\xff\xfe\x00\x80garbage")
    data = json.dumps(page_json()).encode().replace(b"Headline", b"Head\xffline")
    assert "Invalid JSON" in reason_of(data)


def test_a_tombstone_is_a_permanent_error() -> None:
    assert "tombstone" in reason_of(None)


def test_a_json_value_that_is_not_an_object_is_a_permanent_error() -> None:
    reason_of(b"[]")
    reason_of(b"null")


@pytest.mark.parametrize("missing", ["url", "canonical_url", "site", "content_type", "body"])
def test_a_missing_field_is_named_in_the_reason(missing: str) -> None:
    payload = page_json()
    del payload[missing]
    reason = reason_of(json.dumps(payload).encode())
    assert f"{missing}: Field required" in reason
    assert reason.startswith("not a valid RawPage v1")


def test_a_wrong_field_value_is_named_in_the_reason() -> None:
    reason = reason_of(json.dumps({**page_json(), "content_type": "application/pdf"}).encode())
    assert "content_type" in reason


@pytest.mark.parametrize("schema_version", [2, 0, "1", None])
def test_an_unknown_schema_version_is_a_permanent_error(schema_version: object) -> None:
    reason = reason_of(json.dumps({**page_json(), "schema_version": schema_version}).encode())
    assert "schema_version" in reason


def test_a_story_with_the_wrong_version_is_refused_too() -> None:
    payload = json.loads(make_story().to_bytes())
    assert "schema_version" in reason_of(json.dumps({**payload, "schema_version": 2}).encode(), Story)


# --- round trips -------------------------------------------------------------------------------


def test_raw_page_round_trips() -> None:
    page = make_page(
        content_type="text/html",
        body="<html><body><p>Ünïcödé — 地震 — زلزال</p></body></html>",
        feed_title="Feed title",
        published_at=datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
        language_hint="tr",
    )
    assert decode(RawPage, page.to_bytes()) == page


def test_story_round_trips() -> None:
    story = make_story()
    assert decode(Story, story.to_bytes()) == story


def test_none_fields_are_left_off_the_wire_and_come_back_as_none() -> None:
    story = make_story(title=None, url=None, credit=None)
    wire = json.loads(story.to_bytes())
    assert "title" not in wire
    assert "credit" not in wire
    assert decode(Story, story.to_bytes()) == story


def test_dead_letter_keeps_the_original_bytes_exactly() -> None:
    original = b"\xff\xfe\x00not utf-8 \x80\xfb\xbf" + bytes(range(256))
    letter = DeadLetter(
        stage="split",
        reason="not a valid RawPage v1: (message): Invalid JSON",
        error_type="PermanentError",
        original=original,
        original_key=b"\x00key\xff",
        topic="news.pages.v1",
        partition=2,
        offset=41,
        failed_at=FETCHED,
    )
    back = decode(DeadLetter, letter.to_bytes())
    assert back == letter
    assert back.original == original
    assert back.original_key == b"\x00key\xff"


def test_dead_letter_bytes_are_base64_on_the_wire() -> None:
    original = b"\xff\xfe\x00\x80 raw bytes"
    wire = json.loads(DeadLetter(stage="index", reason="r", error_type="E", original=original).to_bytes())
    assert isinstance(wire["original"], str)
    assert base64.urlsafe_b64decode(wire["original"]) == original


def test_dead_letter_accepts_standard_base64_from_other_producers() -> None:
    original = b"\xfb\xff\xbf\x00\xfe"  # encodes with + and / in standard base64
    payload = {
        "stage": "s",
        "reason": "r",
        "error_type": "E",
        "original": base64.b64encode(original).decode(),
    }
    assert "+" in payload["original"]
    assert decode(DeadLetter, json.dumps(payload).encode()).original == original
