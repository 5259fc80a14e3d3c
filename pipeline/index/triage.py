"""What to do with each item of a `_bulk` response (pure).

* ``indexed``  - 2xx.
* ``conflict`` - 409 on our idempotent, externally versioned writes: a newer version is already
  there (a replay). Nothing to do.
* ``retry``    - 429, 5xx, timeouts, shards not ready: the input is fine; try again later.
* ``reject``   - mapping and parse errors: this document can never be indexed. Dead-letter it
  with Elasticsearch's reason.
* ``unknown``  - anything else: a bug or a misconfiguration. The worker stops loudly rather than
  guess.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    INDEXED = "indexed"
    CONFLICT = "conflict"
    RETRY = "retry"
    REJECT = "reject"
    UNKNOWN = "unknown"


#: Error types that mean "this document is wrong", whatever the status.
REJECT_TYPES = frozenset(
    {
        "mapper_parsing_exception",
        "document_parsing_exception",
        "strict_dynamic_mapping_exception",
        "illegal_argument_exception",
        "mapper_exception",
        "parse_exception",
        "json_parse_exception",
        "x_content_parse_exception",
        "max_bytes_length_exceeded_exception",
    }
)
#: Error types that mean "not now".
RETRY_TYPES = frozenset(
    {
        "es_rejected_execution_exception",
        "unavailable_shards_exception",
        "cluster_block_exception",
        "no_shard_available_action_exception",
        "timeout_exception",
        "process_cluster_event_timeout_exception",
        "circuit_breaking_exception",
    }
)


def classify(status: int, error: dict[str, Any] | None) -> Outcome:
    err_type = (error or {}).get("type", "")
    if 200 <= status < 300:
        return Outcome.INDEXED
    if status == 409 and err_type == "version_conflict_engine_exception":
        return Outcome.CONFLICT
    if err_type in RETRY_TYPES or status == 429 or status >= 500:
        return Outcome.RETRY
    if err_type in REJECT_TYPES or status == 400:
        return Outcome.REJECT
    return Outcome.UNKNOWN


def reason(error: dict[str, Any] | None) -> str:
    """Elasticsearch's reason, with its cause, in one line."""
    if not error:
        return "no error detail"
    text = f"{error.get('type', 'error')}: {_clip(error.get('reason'))}"
    cause = error.get("caused_by")
    if isinstance(cause, dict):
        text += f" (caused by {cause.get('type', '')}: {_clip(cause.get('reason'))})"
    return text


def _clip(text: object, limit: int = 400) -> str:
    """Reasons may quote the whole offending value; keep both ends of it."""
    value = str(text or "")
    return value if len(value) <= limit else f"{value[: limit - 100]} [...] {value[-80:]}"
