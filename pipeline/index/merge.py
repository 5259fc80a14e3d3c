"""Read, change, write back: documents that several workers bring up to date (a cluster's size and
sites, an alert's copies), with optimistic concurrency instead of scripts.

Each document is read with its sequence number, changed by a pure function, and written only if
nobody wrote it in between (``if_seq_no``/``if_primary_term``, or ``create`` when it did not exist);
the ones another writer got to first are read and changed again. No Painless: the local stack's
Elasticsearch (the integ-test distribution from Maven Central) has no scripting module, and a plain
write is what every distribution can do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from elasticsearch import AsyncElasticsearch

from pipeline.errors import TransientError
from pipeline.index.triage import Outcome, classify, reason

#: Change of one document: (its id, its source or None when missing) -> the new source, or None to
#: leave it as it is.
Change = Callable[[str, dict[str, Any] | None], dict[str, Any] | None]

#: Rounds before giving up on documents other writers keep changing (a transient failure).
ROUNDS = 20


async def merge(es: AsyncElasticsearch, index: str, changes: Mapping[str, Change]) -> int:
    """Apply each document's change; returns the number of documents written."""
    todo = dict(changes)
    written = 0
    for _ in range(ROUNDS):
        if not todo:
            return written
        found = await es.mget(index=index, ids=list(todo))
        operations: list[dict[str, Any]] = []
        ids: list[str] = []
        for doc in found["docs"]:
            current = doc["_source"] if doc.get("found") else None
            new = todo[doc["_id"]](doc["_id"], current)
            if new is None:
                continue
            if current is None:
                operations.append({"create": {"_index": index, "_id": doc["_id"]}})
            else:
                guard = {"if_seq_no": doc["_seq_no"], "if_primary_term": doc["_primary_term"]}
                operations.append({"index": {"_index": index, "_id": doc["_id"], **guard}})
            operations.append(new)
            ids.append(doc["_id"])
        if not operations:
            return written
        answer = await es.bulk(operations=operations, refresh=False)
        again: dict[str, Change] = {}
        for doc_id, item in zip(ids, answer["items"], strict=True):
            result = next(iter(item.values()))
            status = int(result.get("status", 0))
            if status < 300:
                written += 1
            elif status == 409 or classify(status, result.get("error")) is Outcome.RETRY:  # read it again
                again[doc_id] = todo[doc_id]
            else:
                raise RuntimeError(f"{index}/{doc_id} could not be written: {reason(result.get('error'))}")
        todo = again
    raise TransientError(f"{len(todo)} documents of {index} kept changing under us")
