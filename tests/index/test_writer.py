"""The bulk writer's triage loop, against a scripted stand-in for the async client's `bulk`.

(The real Elasticsearch is exercised by tests/integration; here the point is the order of answers
a real node rarely gives on demand: 429 then success, a whole-request 503, a refused connection.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from elastic_transport import ApiResponseMeta, ConnectionError, HttpHeaders, NodeConfig
from elasticsearch import ApiError

from pipeline.index.writer import BulkWriter, FatalIndexError
from pipeline.messages import Story
from pipeline.retry import RetryPolicy

Answer = Callable[[list[dict[str, Any]]], dict[str, Any]]


def story(n: int) -> Story:
    return Story(
        id=f"s{n}", kind="article", text=f"text {n}", site="s", page_url="u", fingerprint="f", position=0
    )


def item(status: int, error_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status}
    if error_type:
        body["error"] = {"type": error_type, "reason": f"{error_type} happened"}
    return {"index": body}


def api_error(status: int) -> ApiError:
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    return ApiError(f"HTTP {status}", meta=meta, body={})


class ScriptedClient:
    """Answers each bulk call with the next scripted answer (a function of the operations, or an error)."""

    def __init__(self, *answers: Answer | Exception) -> None:
        self.answers = list(answers)
        self.calls: list[list[dict[str, Any]]] = []

    async def bulk(
        self, operations: list[dict[str, Any]], refresh: bool = False, filter_path: str | None = None
    ) -> dict[str, Any]:
        self.calls.append(operations)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer(operations)


def each(*statuses: tuple[int, str | None]) -> Answer:
    return lambda ops: {"items": [item(*s) for s in statuses]}


def write(client: ScriptedClient, n: int) -> Any:
    writer = BulkWriter(client, "alias", RetryPolicy(cap=0.001))  # type: ignore[arg-type]
    return asyncio.run(writer.write([story(i) for i in range(n)]))


def test_all_indexed_in_one_request() -> None:
    client = ScriptedClient(each((201, None), (200, None)))
    result = write(client, 2)
    assert result.indexed == 2 and not result.rejected and len(client.calls) == 1


def test_only_the_items_answered_429_are_sent_again() -> None:
    client = ScriptedClient(each((201, None), (429, "es_rejected_execution_exception")), each((201, None)))
    result = write(client, 2)
    assert result.indexed == 2 and result.retries == 1
    assert next(op for op in client.calls[1] if "index" in op)["index"]["_id"] == "s1"


def test_rejected_documents_come_back_for_the_dead_letter_topic() -> None:
    client = ScriptedClient(each((201, None), (400, "document_parsing_exception")))
    result = write(client, 2)
    assert result.indexed == 1
    assert [(r.position, r.error_type) for r in result.rejected] == [(1, "document_parsing_exception")]


def test_version_conflicts_are_replays_not_errors() -> None:
    result = write(ScriptedClient(each((409, "version_conflict_engine_exception"))), 1)
    assert result.conflicts == 1 and not result.rejected


def test_a_node_that_is_down_or_busy_is_waited_for() -> None:
    client = ScriptedClient(ConnectionError("refused"), api_error(503), api_error(429), each((201, None)))
    result = write(client, 1)
    assert result.indexed == 1 and result.retries == 3


def test_an_answer_it_does_not_understand_stops_the_writer() -> None:
    with pytest.raises(FatalIndexError, match="status 404"):
        write(ScriptedClient(each((404, "index_not_found_exception"))), 1)
    with pytest.raises(FatalIndexError, match="HTTP 401"):
        write(ScriptedClient(api_error(401)), 1)
