"""The index stage: batches of stories -> Elasticsearch ``_bulk`` -> the written ids to the indexed
topic (the alert stage's input).

A batch returns only when every story is indexed, already there (a replay), or dead-lettered, and
its ids are on the indexed topic: so the batch's offsets are committed only after that. Transient
failures are retried inside the writer without limit (consumption pauses). An answer Elasticsearch
gives that Wirestream does not understand stops the worker loudly, before any commit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import NoReturn, Protocol

from pipeline.errors import PermanentError
from pipeline.index.client import transient
from pipeline.index.writer import BulkResult, FatalIndexError
from pipeline.messages import IndexedBatch, Story, decode
from pipeline.retry import RetryPolicy, log_retries
from pipeline.stream import Consumed, DeadLetters, Send, where

log = logging.getLogger("pipeline.worker")


class Writer(Protocol):
    async def write(self, stories: Sequence[Story], clusters: dict[str, str] | None = None) -> BulkResult: ...


class Clusters(Protocol):
    async def assign(self, stories: Sequence[Story]) -> dict[str, str]: ...


class Stop(Protocol):
    """Ends the process without committing (the worker exits 70)."""

    def __call__(self, error: BaseException, message: Consumed) -> NoReturn: ...


class IndexStage:
    def __init__(
        self,
        writer: Writer,
        dead_letters: DeadLetters,
        send_indexed: Send | None,
        stop: Stop,
        clusters: Clusters | None = None,
        wait: RetryPolicy | None = None,
    ) -> None:
        self.writer = writer
        self.clusters = clusters  # None: every story is its own cluster
        self.wait = wait or RetryPolicy(cap=30.0)
        self.dead_letters = dead_letters
        self.send_indexed = send_indexed  # None: alerts are off, nobody reads the indexed topic
        self.stop = stop

    async def batch(self, messages: Sequence[Consumed]) -> None:
        if not messages:
            return
        stories: list[Story] = []
        sources: list[Consumed] = []
        for message in messages:
            try:
                stories.append(decode(Story, message.value))
                sources.append(message)
            except PermanentError as exc:
                await self.dead_letters.error(message, exc)
        cluster_of = await self._clusters(stories, messages[-1])
        try:
            result = await self.writer.write(stories, cluster_of)
        except FatalIndexError as exc:
            self.stop(exc, messages[0])
        for rejected in result.rejected:
            await self.dead_letters(sources[rejected.position], rejected.reason, rejected.error_type)
        refused = {rejected.position for rejected in result.rejected}
        written = [story for i, story in enumerate(stories) if i not in refused]
        if written and self.send_indexed is not None:  # before the commit: the alert stage's input
            batch = IndexedBatch(
                ids=[story.id for story in written], languages=sorted({story.lang for story in written})
            )
            await self.send_indexed(None, batch.to_bytes())
        log.info(
            "indexed %d stories (%d already there, %d rejected)",
            result.indexed,
            result.conflicts,
            len(result.rejected),
            extra={"stage": "index", **where(messages[-1]), "count": len(messages)},
        )

    async def _clusters(self, stories: Sequence[Story], last: Consumed) -> dict[str, str]:
        """Each story's cluster, before it is written (Elasticsearch away: waited out, no limit)."""
        if self.clusters is None or not stories:
            return {}
        clusters = self.clusters
        ctx = {"stage": "index", **where(last)}
        try:
            return await self.wait.call(
                lambda: clusters.assign(stories),
                retryable=transient,
                on_retry=log_retries(log, "clustering waiting for Elasticsearch", ctx),
            )
        except Exception:  # not transient: index the batch unclustered rather than lose or stop it
            log.exception(
                "clustering failed; the batch is indexed with each story its own cluster", extra=ctx
            )
            return {}
