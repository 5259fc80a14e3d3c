"""The one retry policy: delays within bounds, limits by attempts and by deadline, the predicate,
the server's Retry-After, and the same behaviour blocking and async."""

from __future__ import annotations

import asyncio
import random

import pytest

from pipeline.retry import RetryLater, RetryPolicy


@pytest.mark.parametrize("attempt", [0, 1, 2, 5, 10, 30, 100, 10_000])
def test_delays_stay_within_zero_and_the_cap(attempt: int) -> None:
    policy, rng = RetryPolicy(base=0.2, cap=30.0), random.Random(attempt)
    for _ in range(200):
        assert 0.0 <= policy.delay(attempt, rng) <= 30.0


def test_the_upper_bound_grows_with_the_attempt_and_draws_are_reproducible() -> None:
    policy = RetryPolicy(base=0.2, cap=30.0)
    delays = [policy.delay(attempt, random.Random(7)) for attempt in range(12)]
    assert delays == sorted(delays)  # the same draw scaled by a growing bound
    assert delays[-1] > delays[0] * 100
    assert max(policy.delay(0, random.Random(i)) for i in range(100)) <= 0.2
    assert [policy.delay(a, random.Random(42)) for a in range(8)] == [
        policy.delay(a, random.Random(42)) for a in range(8)
    ]


class Flaky:
    """Fails ``failures`` times with ``error``, then returns "ok"; records the sleeps asked for."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error = failures, error
        self.calls = 0
        self.slept: list[float] = []

    def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"

    async def acall(self) -> str:
        return self()

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.slept.append(seconds)


def test_without_a_limit_it_retries_until_it_works_and_reports_each_retry() -> None:
    flaky, seen = Flaky(7, OSError("refused")), []
    result = RetryPolicy(cap=1.0).call_sync(
        flaky, on_retry=lambda exc, attempt, delay: seen.append(attempt), sleep=flaky.sleep
    )
    assert result == "ok" and flaky.calls == 8 and seen == list(range(1, 8))
    assert all(0 <= s <= 1.0 for s in flaky.slept)


def test_the_attempts_limit_raises_the_last_error() -> None:
    flaky = Flaky(10, OSError("down"))
    with pytest.raises(OSError, match="down"):
        RetryPolicy(attempts=3).call_sync(flaky, sleep=flaky.sleep)
    assert flaky.calls == 3 and len(flaky.slept) == 2


def test_the_deadline_limit_raises_once_the_time_is_spent() -> None:
    flaky, now = Flaky(100, OSError("down")), [0.0]

    def sleep(seconds: float) -> None:
        now[0] += 1.0

    with pytest.raises(OSError):
        RetryPolicy(deadline=5.0).call_sync(flaky, sleep=sleep, clock=lambda: now[0])
    assert flaky.calls == 6  # tries at t=0..5; at t=5 the deadline has passed


def test_an_error_the_predicate_refuses_is_raised_at_once() -> None:
    flaky = Flaky(1, ValueError("a bug"))
    with pytest.raises(ValueError):
        RetryPolicy().call_sync(flaky, retryable=lambda exc: isinstance(exc, OSError), sleep=flaky.sleep)
    assert flaky.calls == 1 and flaky.slept == []


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    flaky = Flaky(2, RetryLater("HTTP 429", retry_after=7.0))
    assert RetryPolicy(cap=5.0).call_sync(flaky, sleep=flaky.sleep) == "ok"
    assert flaky.slept == [5.0, 5.0]
    flaky = Flaky(1, RetryLater("HTTP 503", retry_after=0.5))
    RetryPolicy(cap=5.0).call_sync(flaky, sleep=flaky.sleep)
    assert flaky.slept == [0.5]


def test_the_async_call_behaves_the_same() -> None:
    flaky = Flaky(2, OSError("down"))
    assert asyncio.run(RetryPolicy(attempts=3).call(flaky.acall, sleep=flaky.asleep)) == "ok"
    flaky = Flaky(5, OSError("down"))
    with pytest.raises(OSError):
        asyncio.run(RetryPolicy(attempts=3).call(flaky.acall, sleep=flaky.asleep))
    assert flaky.calls == 3
