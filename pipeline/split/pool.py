"""Splitting in a pool of processes, so a worker uses the cores it is given (Python threads share one).

Each process is a *lane*: the pages of a site always go to the same lane (a stable hash of the site),
one at a time, so a site's pages are split in order and its site memory lives in one place - the
lane's own :class:`SiteMemory`, seeded at start with the shared store's entries for its sites. What
a lane writes to its store (paragraphs seen on a second page) comes back with each result and the
worker writes it to the shared table, so the other workers and the next start see it.

A page that takes longer than the budget is dead-lettered and its lane's process is replaced (the
old one is killed, so a pathological page stops costing CPU); a process that dies on a page (a
crash in a C extension) is replaced the same way and the page dead-lettered with that reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import multiprocessing
import os
from collections.abc import Iterator, MutableMapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pipeline.errors import PermanentError
from pipeline.messages import RawPage, decode
from pipeline.split import SplitResult, split
from pipeline.split.memory import SiteMemory

log = logging.getLogger("pipeline.worker")

#: A lane prunes its own store after this many pages.
PRUNE_EVERY = 1000

Writes = dict[str, list[str]]


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by a cgroup v2 quota when set."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def lane_of(site: str, lanes: int) -> int:
    digest = hashlib.blake2b(site.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % lanes


class _Recording(MutableMapping[str, list[str]]):
    """A lane's store: a dict that also notes what was written since the last result."""

    def __init__(self, base: dict[str, list[str]]) -> None:
        self.base = base
        self.writes: Writes = {}

    def __getitem__(self, key: str) -> list[str]:
        return self.base[key]

    def __setitem__(self, key: str, value: list[str]) -> None:
        self.base[key] = value
        self.writes[key] = value

    def __delitem__(self, key: str) -> None:
        del self.base[key]
        self.writes.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def _serve(conn: Connection, engine: str, seed: Writes, max_paragraphs: int, days: int) -> None:
    """A lane's process: split each page it is sent; reply (status, result or reason, store writes)."""
    from pipeline.language import engines

    engines.warm_up()
    conn.send(("ready", None, {}))
    store = _Recording(dict(seed))
    memory = SiteMemory(store=store)
    done = 0
    while True:
        try:
            raw = conn.recv_bytes()
        except (EOFError, OSError):  # the worker is gone
            return
        reply: tuple[str, Any, Writes]
        try:
            result = split(decode(RawPage, raw), memory=memory, engine=engine)
            reply = ("ok", result, store.writes)
        except PermanentError as exc:
            reply = ("permanent", str(exc), store.writes)
        except Exception as exc:  # a bug on one page: the stage dead-letters it
            reply = ("permanent", f"unexpected {type(exc).__name__}: {exc}", store.writes)
        store.writes = {}
        conn.send(reply)
        done += 1
        if done % PRUNE_EVERY == 0:
            memory.prune(max_paragraphs, days)


async def reply(conn: Connection) -> Any:
    """The next object a lane sends, read on the event loop once its pipe is readable (a lane sends
    each reply whole, so the read does not wait on it). Handing each read to a thread instead cost
    the loop more than the read itself. EOFError or OSError: the process is gone."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Any] = loop.create_future()
    fd = conn.fileno()

    def readable() -> None:
        loop.remove_reader(fd)
        if not done.done():
            try:
                done.set_result(conn.recv())
            except (EOFError, OSError) as exc:
                done.set_exception(exc)

    loop.add_reader(fd, readable)
    try:
        return await done
    finally:
        loop.remove_reader(fd)


class _Lane:
    def __init__(self, pool: SplitPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.lock = asyncio.Lock()
        self.conn: Connection | None = None
        self.process: Any = None
        self.ready = False

    def start(self) -> None:
        size = self.pool.size
        seed = {
            k: v
            for k, v in list(self.pool.store.items())
            if lane_of(SiteMemory.site_of(k), size) == self.index
        }
        ours, theirs = self.pool.context.Pipe()
        self.process = self.pool.context.Process(
            target=_serve,
            args=(theirs, self.pool.engine, seed, self.pool.max_paragraphs, self.pool.days),
            name=f"split-lane-{self.index}",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        self.conn = ours
        self.ready = False

    async def wait_ready(self) -> None:
        """Until the process has loaded its models (not counted in any page's budget)."""
        if not self.ready:
            assert self.conn is not None
            try:
                await reply(self.conn)
            except (EOFError, OSError) as exc:
                code = self.process.exitcode if self.process is not None else None
                self.replace(f"it did not start (exit code {code})")
                raise RuntimeError(f"the split process did not start (exit code {code})") from exc
            self.ready = True

    def replace(self, why: str) -> None:
        log.warning("split process %d replaced: %s", self.index, why, extra={"stage": "split"})
        self.stop()
        if self.conn is not None:
            self.conn.close()
        self.start()

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(5)


class SplitPool:
    """``size`` lane processes; :meth:`split` is awaited on the event loop."""

    def __init__(
        self,
        size: int,
        engine: str,
        budget_seconds: float,
        store: MutableMapping[str, list[str]],
        max_paragraphs: int,
        days: int,
    ) -> None:
        self.size = size
        self.engine = engine
        self.budget_seconds = budget_seconds
        self.store = store  # the shared store (the workers' table): lanes start from it, write to it
        self.max_paragraphs = max_paragraphs
        self.days = days
        self.context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self._lanes = [_Lane(self, i) for i in range(size)]
        self._started = False

    def _start(self) -> None:
        if not self._started:
            for lane in self._lanes:
                lane.start()
            self._started = True

    async def split(self, page: RawPage, raw: bytes) -> SplitResult:
        self._start()
        lane = self._lanes[lane_of(page.site, self.size)]
        async with lane.lock:
            await lane.wait_ready()
            assert lane.conn is not None
            conn = lane.conn
            conn.send_bytes(raw)
            try:
                status, value, writes = await asyncio.wait_for(reply(conn), self.budget_seconds)
            except TimeoutError:
                lane.replace(f"a page of {page.site} took longer than {self.budget_seconds:g} s")
                raise PermanentError(
                    f"splitting took longer than {self.budget_seconds:g} s (WIRESTREAM_SPLIT_BUDGET_SECONDS)"
                ) from None
            except (EOFError, OSError) as exc:
                code = lane.process.exitcode if lane.process is not None else None
                lane.replace(f"it died splitting a page of {page.site} (exit code {code})")
                raise PermanentError(f"the split process died on this page (exit code {code})") from exc
        for key, pages in writes.items():  # one by one: a table sends each to its changelog
            self.store[key] = pages
        if status != "ok":
            raise PermanentError(value)
        assert isinstance(value, SplitResult)
        return value

    def close(self) -> None:
        """Stop the processes (the next :meth:`split` starts them again)."""
        for lane in self._lanes:
            lane.stop()
        self._started = False
