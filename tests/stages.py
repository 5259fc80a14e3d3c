"""Scripted collaborators for the stage unit tests: an outbox per topic, consumed records."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from pipeline.messages import DeadLetter, Message
from pipeline.stream import Record

T = TypeVar("T")
M = TypeVar("M", bound=Message)


class Outbox:
    """A topic that records what was sent; ``hold()`` makes sends wait until ``release()``."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes | None, bytes]] = []
        self._open = asyncio.Event()
        self._open.set()

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    async def send(self, key: bytes | None, value: bytes) -> None:
        await self._open.wait()
        self.sent.append((key, value))

    def values(self, model: type[M]) -> list[M]:
        return [model.model_validate_json(value) for _, value in self.sent]

    def letters(self) -> list[DeadLetter]:
        return self.values(DeadLetter)


def record(value: bytes | None, offset: int = 0, key: bytes | None = b"k", topic: str = "in") -> Record:
    return Record(topic=topic, partition=0, offset=offset, key=key, value=value)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)
