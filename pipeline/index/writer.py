"""The bulk writer: stories -> Elasticsearch `_bulk`, every item triaged (see triage.py).

``write`` returns only when every story is indexed, already there (version conflict), or rejected;
transient failures (429, 5xx, timeouts, a node that is down) are retried with capped, jittered
backoff and no retry limit, so the caller - which does not consume meanwhile - simply pauses.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError

from pipeline.index.documents import bulk_action
from pipeline.index.triage import Outcome, classify, reason
from pipeline.messages import Story
from pipeline.observability.metrics import BULK_RETRIES, BULK_SECONDS, BULK_STORIES
from pipeline.retry import RetryPolicy

log = logging.getLogger(__name__)


class FatalIndexError(RuntimeError):
    """Elasticsearch answered in a way Wirestream does not understand: stop, do not guess."""


@dataclass(frozen=True)
class Rejected:
    position: int  # index into the batch given to write()
    reason: str
    error_type: str


#: Of a bulk answer, only what is read: each item's status and error, in order. The whole answer
#: (index, id, version, shards, sequence numbers) was 3.7% of the worker's time to decode.
BULK_ANSWER = "items.*.status,items.*.error"


@dataclass
class BulkResult:
    indexed: int = 0
    conflicts: int = 0
    retries: int = 0
    rejected: list[Rejected] = field(default_factory=list)


class BulkWriter:
    def __init__(self, es: AsyncElasticsearch, index: str, retry: RetryPolicy | None = None) -> None:
        self.es = es
        self.index = index
        self.retry = retry or RetryPolicy()  # delays only: the writer never gives up

    async def write(self, stories: Sequence[Story], clusters: dict[str, str] | None = None) -> BulkResult:
        """Index the stories (with their cluster ids: ``clusters``, a story's own id when absent)."""
        result = BulkResult()
        clusters = clusters or {}
        pending = list(range(len(stories)))
        attempt = 0
        while pending:
            operations: list[dict[str, Any]] = []
            for i in pending:
                operations.extend(bulk_action(stories[i], self.index, clusters.get(stories[i].id)))
            items = await self._bulk(operations, attempt)
            if items is None:  # the whole request failed transiently
                attempt += 1
                result.retries += 1
                BULK_RETRIES.inc()
                continue
            still: list[int] = []
            for i, item in zip(pending, items, strict=True):
                outcome_item = next(iter(item.values()))
                outcome = classify(int(outcome_item.get("status", 0)), outcome_item.get("error"))
                if outcome is Outcome.INDEXED:
                    result.indexed += 1
                elif outcome is Outcome.CONFLICT:
                    result.conflicts += 1
                elif outcome is Outcome.RETRY:
                    still.append(i)
                elif outcome is Outcome.REJECT:
                    err = outcome_item.get("error") or {}
                    result.rejected.append(Rejected(i, reason(err), str(err.get("type", "rejected"))))
                else:
                    raise FatalIndexError(
                        f"unexpected bulk item answer for story {stories[i].id}: "
                        f"status {outcome_item.get('status')}, {reason(outcome_item.get('error'))}"
                    )
            if still:
                attempt += 1
                result.retries += 1
                BULK_RETRIES.inc()
                delay = self.retry.delay(attempt)
                log.warning(
                    "bulk: %d of %d items to retry in %.1fs",
                    len(still),
                    len(pending),
                    delay,
                    extra={"stage": "index", "count": len(still)},
                )
                await asyncio.sleep(delay)
            else:
                attempt = 0
            pending = still
        return result

    async def _bulk(self, operations: list[dict[str, Any]], attempt: int) -> list[dict[str, Any]] | None:
        """One `_bulk` request; None (after sleeping) when it should be retried as a whole."""
        started = time.monotonic()
        try:
            response = await self.es.bulk(operations=operations, refresh=False, filter_path=BULK_ANSWER)
        except ApiError as exc:
            if exc.meta.status == 429 or exc.meta.status >= 500:
                await self._pause(attempt, f"HTTP {exc.meta.status}")
                return None
            raise FatalIndexError(
                f"Elasticsearch refused the bulk request: HTTP {exc.meta.status} {exc}"
            ) from exc
        except (TransportError, OSError) as exc:  # connection refused, timeouts, TLS, DNS
            await self._pause(attempt, f"{type(exc).__name__}: {exc}")
            return None
        BULK_SECONDS.observe(time.monotonic() - started)
        BULK_STORIES.observe(len(operations) // 2)
        items: list[dict[str, Any]] = response["items"]
        return items

    async def _pause(self, attempt: int, why: str) -> None:
        delay = self.retry.delay(attempt + 1)
        log.warning("Elasticsearch unavailable (%s); retrying in %.1fs", why, delay, extra={"stage": "index"})
        await asyncio.sleep(delay)
