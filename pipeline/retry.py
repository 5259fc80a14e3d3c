"""The one retry policy: capped exponential backoff with full jitter, a predicate for what is
retryable, and a limit (a number of attempts, a deadline, or none).

Every stage and command that retries uses it: the worker's sends to Kafka and its waits for
Elasticsearch (no limit: consumption simply pauses), the bulk writer's item retries (its delays),
webhook deliveries (a few attempts, ``Retry-After`` honoured), and ``wirestream init`` (a deadline).

Why our own ~80 lines and not tenacity or stamina: the bulk writer retries a shrinking subset of a
batch (it needs the delays, not a wrapped call), and a retry must be able to carry the server's
``Retry-After``; both read more plainly here than as a library's callbacks.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pipeline.errors import UserError

T = TypeVar("T")

#: Called before each wait: (the error, the attempt that failed, the delay about to be slept).
OnRetry = Callable[[BaseException, int, float], None]


class RetryLater(Exception):
    """A retryable failure that may say when to try again (an HTTP ``Retry-After``)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def always(error: BaseException) -> bool:
    """Every failure but one only its user can fix (refused credentials, an untrusted certificate, a
    wrong setting): waiting does not mend those."""
    return not isinstance(error, UserError)


def log_retries(logger: logging.Logger, what: str, ctx: dict[str, Any] | None = None) -> OnRetry:
    """An ``on_retry`` that logs one warning per retry: '<what> (<error>); retrying in N s'."""

    def on_retry(error: BaseException, attempt: int, delay: float) -> None:
        logger.warning(
            "%s (%s); retrying in %.1fs", what, error, delay, extra={**(ctx or {}), "attempt": attempt}
        )

    return on_retry


@dataclass(frozen=True)
class RetryPolicy:
    """``base * 2**attempt`` seconds, capped at ``cap``, drawn uniformly from [0, that] (full jitter).

    ``attempts``: tries in all (None: no limit). ``deadline``: seconds after the first try past which
    the last error is raised (None: no limit). Both None means retry until it works.
    """

    base: float = 0.2
    cap: float = 30.0
    attempts: int | None = None
    deadline: float | None = None

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """The wait after failed try number ``attempt`` (1-based)."""
        return (rng or random).uniform(0, min(self.cap, self.base * (2 ** min(attempt, 30))))

    def wait_for(self, error: BaseException, attempt: int) -> float:
        """The delay, or the server's ``Retry-After`` when it gave one (never above the cap)."""
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            return min(float(retry_after), self.cap)
        return self.delay(attempt)

    def gives_up(self, attempt: int, elapsed: float) -> bool:
        if self.attempts is not None and attempt >= self.attempts:
            return True
        return self.deadline is not None and elapsed >= self.deadline

    def _after(
        self,
        error: BaseException,
        attempt: int,
        elapsed: float,
        retryable: Callable[[BaseException], bool],
        on_retry: OnRetry | None,
    ) -> float | None:
        """How long to wait after this failure; None when it is to be raised."""
        if not retryable(error) or self.gives_up(attempt, elapsed):
            return None
        delay = self.wait_for(error, attempt)
        if on_retry is not None:
            on_retry(error, attempt, delay)
        return delay

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        retryable: Callable[[BaseException], bool] = always,
        on_retry: OnRetry | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> T:
        """Await ``fn()`` until it returns; a non-retryable error, or the limit, raises the error."""
        started, attempt = clock(), 0
        while True:
            try:
                return await fn()
            except Exception as exc:
                attempt += 1
                delay = self._after(exc, attempt, clock() - started, retryable, on_retry)
                if delay is None:
                    raise
                await sleep(delay)

    def call_sync(
        self,
        fn: Callable[[], T],
        retryable: Callable[[BaseException], bool] = always,
        on_retry: OnRetry | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> T:
        """The blocking twin of :meth:`call`, for commands."""
        started, attempt = clock(), 0
        while True:
            try:
                return fn()
            except Exception as exc:
                attempt += 1
                delay = self._after(exc, attempt, clock() - started, retryable, on_retry)
                if delay is None:
                    raise
                sleep(delay)
