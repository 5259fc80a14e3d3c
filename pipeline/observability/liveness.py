"""Is the worker still doing its job? Stalled partitions and a bounded shutdown (pure, no faust).

* :class:`StallWatch` - a partition whose commits stopped although it has lag and nothing of it is
  being worked on. The worker reads its consumer's view every few seconds and hands it over as
  :class:`PartitionView`; a partition is *stalled* when, for at least ``seconds``:

  - it has lag (the end of the partition is past the committed offset),
  - the committed offset has not moved,
  - the consumer has already read past the committed offset (so the message there was handed to an
    agent: it is not simply waiting to be fetched), and
  - no message of its topic is being processed now (the agent is idle, not stuck on a slow
    dependency: an Elasticsearch outage holds a batch in progress and is not a stall).

  A stalled partition is never committed again by this process (the message at its committed offset
  has gone missing inside it), so the worker reports itself unhealthy and exits: the restart reads
  the partition again from its committed offset. :func:`restart_in_place` is that restart, in the
  same process (``WIRESTREAM_WORKER_RESTART_ON_STALL``): no orchestrator needed, no restart back-off.
* :class:`ShutdownDeadline` - after SIGTERM the process ends within a bound even when a client
  library hangs while stopping.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NoReturn

log = logging.getLogger("pipeline.worker")


@dataclass(frozen=True)
class PartitionView:
    """One assigned partition as the consumer sees it."""

    topic: str
    partition: int
    committed: int | None  # the offset committed last (the next to read after a restart)
    end: int | None  # the end of the partition (high watermark) as last fetched
    read: int | None  # the last offset the consumer handed to an agent
    topic_busy: bool  # some message of this topic is being processed now

    @property
    def lag(self) -> int:
        if self.committed is None or self.end is None:
            return 0
        return max(0, self.end - self.committed)


@dataclass(frozen=True)
class Stall:
    topic: str
    partition: int
    committed: int
    end: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"{self.topic}[{self.partition}] committed at {self.committed} for {self.seconds:.0f} s "
            f"with lag {self.end - self.committed} while idle"
        )


class StallWatch:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._since: dict[tuple[str, int], tuple[int | None, float]] = {}  # suspects: (committed, since)

    def observe(self, now: float, views: Iterable[PartitionView]) -> list[Stall]:
        """The partitions stalled for ``seconds`` or more, given the consumer's view at ``now``."""
        stalls = []
        seen = set()
        for view in views:
            key = (view.topic, view.partition)
            seen.add(key)
            suspect = (
                view.lag > 0
                and view.committed is not None
                and view.read is not None
                and view.read >= view.committed
                and not view.topic_busy
            )
            if not suspect:
                self._since.pop(key, None)
                continue
            committed, since = self._since.get(key, (None, now))
            if committed != view.committed:
                since = now
            self._since[key] = (view.committed, since)
            if now - since >= self.seconds:
                assert view.committed is not None and view.end is not None
                stalls.append(Stall(view.topic, view.partition, view.committed, view.end, now - since))
        for key in set(self._since) - seen:  # revoked: forget
            del self._since[key]
        return stalls


class LoopLag:
    """How late the event loop wakes a sleeper: the longest delay per minute (a blocked loop delays
    heartbeats, health checks and acks alike)."""

    def __init__(self, window: float = 60.0) -> None:
        self.window = window
        self.worst_ms = 0.0  # the longest delay of the last full window
        self._current = 0.0
        self._since: float | None = None

    def observe(self, now: float, late_seconds: float) -> None:
        if self._since is None:
            self._since = now
        self._current = max(self._current, late_seconds * 1000)
        if now - self._since >= self.window:
            self.worst_ms, self._current, self._since = round(self._current, 1), 0.0, now

    @property
    def max_ms(self) -> float:
        return max(self.worst_ms, round(self._current, 1))


class ShutdownDeadline:
    """Arm on SIGTERM: unless the process has exited ``seconds`` later, log why and exit now (what
    was not committed is consumed again after the restart: at-least-once holds)."""

    def __init__(self, seconds: float, exit: Callable[[int], object] = os._exit) -> None:
        self.seconds = seconds
        self._exit = exit
        self._timer: threading.Timer | None = None

    def arm(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(self.seconds, self._overdue)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _overdue(self) -> None:
        try:  # whatever logging does, the exit below happens
            log.error(
                "the worker did not stop within %g s of SIGTERM (WIRESTREAM_WORKER_SHUTDOWN_SECONDS): "
                "exiting now; what was not committed will be consumed again",
                self.seconds,
                extra={"stage": "worker"},
            )
            for handler in logging.getLogger().handlers:
                handler.flush()
        except Exception:  # noqa: S110 - a closed log stream must not keep the process alive
            pass
        self._exit(EXIT_SHUTDOWN_OVERDUE)


#: Exit codes of the worker when it ends itself.
EXIT_SHUTDOWN_OVERDUE = 1
EXIT_STALLED = 75


def restart_in_place() -> NoReturn:
    """Replace this process by a fresh ``wirestream worker`` with the same arguments and environment
    (the same pid: a container sees no restart). Called after a stall's shutdown has committed what
    was done; the new worker reads every partition again from its commit."""
    argv = [sys.executable, "-m", "pipeline", *sys.argv[1:]]
    log.warning("restarting the worker in place after a stall", extra={"stage": "worker"})
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and arguments
