"""What every stage of the worker is given: the vocabulary between the stages and faust.

A stage is a plain class beside its package (``split/stage.py``, ``index/stage.py``,
``alerts/stage.py``, ``alerts/notify.py``) that takes its collaborators as arguments:

* :class:`Consumed` - a message as a stage reads it (faust's messages fit; tests pass a dataclass);
* :data:`Send` - put one record on one topic and return once Kafka has confirmed it;
* :class:`DeadLetters` - route a message that cannot be processed to the dead-letter topic, with
  the stage, the reason and the original bytes;
* :class:`Backlog` - whether ingestion is behind (pages or stories wait in Kafka), for a stage that can
  yield.

``app.py`` builds these from faust and hands them to the stages; unit tests hand them scripted ones.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from pipeline.messages import DeadLetter
from pipeline.observability.metrics import DEAD_LETTERS

log = logging.getLogger("pipeline.worker")

#: Send (key, value) to a topic; returns once Kafka has confirmed the record.
Send = Callable[[bytes | None, bytes], Awaitable[None]]


class Consumed(Protocol):
    """A consumed Kafka message, as far as the stages read it."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Record:
    """A plain :class:`Consumed` (tests, replays)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def where(message: Consumed) -> dict[str, Any]:
    """Log context of a consumed message: topic, partition, offset."""
    return {"topic": message.topic, "partition": message.partition, "offset": message.offset}


class DeadLetters:
    """Routes failures of one stage to the dead-letter topic (and the log)."""

    def __init__(self, stage: str, send: Send) -> None:
        self.stage = stage
        self._send = send
        self.count = 0

    async def __call__(self, message: Consumed, reason: str, error_type: str) -> None:
        ctx = {"stage": self.stage, **where(message), "reason": reason, "error_type": error_type}
        log.warning("dead-lettered: %s", reason, extra=ctx)
        letter = DeadLetter(
            stage=self.stage,
            reason=reason,
            error_type=error_type,
            original=message.value or b"",
            original_key=message.key,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
        )
        await self._send(message.key, letter.to_bytes())
        self.count += 1
        DEAD_LETTERS.labels(self.stage, error_type).inc()

    async def error(self, message: Consumed, exc: BaseException) -> None:
        """Dead-letter with the exception as the reason."""
        await self(message, str(exc), type(exc).__name__)


class Backlog:
    """Whether ingestion is behind: each ingestion stage (split, index) notes the wait in Kafka of
    what it takes (the message's timestamp against the clock); ingestion is behind while something
    one of them took in the last ``fresh`` seconds waited more than ``behind_after`` seconds. A stage
    that competes with ingestion for the cores (alert matching) can then yield; a worker that keeps
    up, or idles, is never behind. Both stages count: the split processes can run far ahead of
    indexing, and then it is the stories that wait. (A producer's clock far off this machine's reads
    as a wait: with the topic's ``LogAppendTime`` the broker's clock is used.)"""

    def __init__(self, behind_after: float = 1.0, fresh: float = 2.0) -> None:
        self.behind_after = behind_after
        self.fresh = fresh
        self._waits: dict[str, tuple[float, float]] = {}  # stage -> (wait, when noted)

    def took(self, timestamp: float | None, now: float | None = None, stage: str = "split") -> None:
        """A message taken now by ``stage``, written to Kafka at ``timestamp`` (Unix seconds; None:
        not known)."""
        if timestamp is not None:
            wait = max(0.0, (time.time() if now is None else now) - timestamp)
            self._waits[stage] = (wait, time.monotonic())

    def behind(self) -> bool:
        recent = time.monotonic() - self.fresh
        return any(wait > self.behind_after and at > recent for wait, at in self._waits.values())
