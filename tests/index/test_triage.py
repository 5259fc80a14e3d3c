"""Bulk response triage: which items are done, retried, dead-lettered, or stop the worker."""

from __future__ import annotations

import pytest

from pipeline.index.triage import Outcome, classify, reason


@pytest.mark.parametrize("status", [200, 201])
def test_2xx_is_indexed(status: int) -> None:
    assert classify(status, None) is Outcome.INDEXED


def test_409_version_conflict_is_a_replay_not_an_error() -> None:
    error = {"type": "version_conflict_engine_exception", "reason": "[abc]: version conflict"}
    assert classify(409, error) is Outcome.CONFLICT


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, {"type": "es_rejected_execution_exception", "reason": "rejected execution"}),
        (429, None),
        (503, {"type": "unavailable_shards_exception", "reason": "primary shard is not active"}),
        (503, None),
        (500, {"type": "some_internal_exception"}),
        # Elasticsearch's thread pool rejection is retried whatever the status says
        (400, {"type": "es_rejected_execution_exception", "reason": "rejected execution"}),
    ],
)
def test_overload_and_unavailability_are_retried(status: int, error: dict[str, str] | None) -> None:
    assert classify(status, error) is Outcome.RETRY


@pytest.mark.parametrize(
    "err_type",
    ["mapper_parsing_exception", "document_parsing_exception", "strict_dynamic_mapping_exception"],
)
def test_mapping_and_parse_errors_are_rejected(err_type: str) -> None:
    assert (
        classify(400, {"type": err_type, "reason": "failed to parse field [published_at]"}) is Outcome.REJECT
    )


def test_a_plain_400_is_rejected() -> None:
    assert classify(400, {"type": "something_new_exception"}) is Outcome.REJECT


@pytest.mark.parametrize(
    ("status", "err_type"),
    [
        (403, "security_exception"),
        (404, "index_not_found_exception"),
        (403, "odd_unheard_of_exception"),
        (409, "some_other_conflict_exception"),
    ],
)
def test_unexpected_4xx_is_unknown_so_the_worker_stops(status: int, err_type: str) -> None:
    assert classify(status, {"type": err_type, "reason": "nope"}) is Outcome.UNKNOWN


def test_reason_includes_the_type_and_the_cause() -> None:
    error = {
        "type": "document_parsing_exception",
        "reason": "[1:42] failed to parse field [published_at] of type [date]",
        "caused_by": {
            "type": "illegal_argument_exception",
            "reason": "failed to parse date field [yesterday]",
        },
    }
    text = reason(error)
    assert text.startswith("document_parsing_exception: [1:42] failed to parse field [published_at]")
    assert "caused by illegal_argument_exception: failed to parse date field [yesterday]" in text
    assert "\n" not in text


def test_reason_without_detail_says_so() -> None:
    assert reason(None) == "no error detail"
    assert reason({}) == "no error detail"


def test_reason_clips_a_huge_quoted_value_but_keeps_both_ends() -> None:
    value = "HEAD-MARKER " + "x" * 50_000 + " TAIL-MARKER"
    error = {"type": "mapper_parsing_exception", "reason": f"failed to parse [{value}]"}
    text = reason(error)
    assert len(text) < 600
    assert "HEAD-MARKER" in text
    assert text.endswith("TAIL-MARKER]")
    assert "[...]" in text


def test_reason_clips_the_cause_too() -> None:
    error = {"type": "a", "reason": "short", "caused_by": {"type": "b", "reason": "y" * 10_000 + "END"}}
    text = reason(error)
    assert len(text) < 1000
    assert text.endswith("END)")


def test_short_reasons_are_not_clipped() -> None:
    error = {"type": "mapper_parsing_exception", "reason": "r" * 400}
    assert reason(error) == "mapper_parsing_exception: " + "r" * 400
