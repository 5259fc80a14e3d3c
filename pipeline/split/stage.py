"""The split stage: pages topic -> stories and links topics (dead letters for what cannot be split).

Pages are handed out as they come, and their sends are confirmed in the background: a page is
acknowledged (and so may be committed) only once Kafka has every story and link it gave. faust
commits up to the first page not yet acknowledged, so acks may come in any order. At most
``in_flight`` pages wait for confirmation at once (backpressure, bounded memory).

The splitting runs off the event loop: in a pool of processes (``pool.py``: a site's pages in one
lane, in order; pages of different sites at once) or, without a pool, on a worker thread one page at
a time. The loop keeps answering health checks and heartbeats while a heavy page is cut; a page that
takes longer than ``budget_seconds`` is dead-lettered with that reason and the stream goes on (a
pool kills that page's process; a thread finishes it in the background and its result is dropped).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterable, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from pipeline.errors import PermanentError
from pipeline.messages import RawPage, TeaserLink, decode
from pipeline.observability.metrics import PAGES, STORIES
from pipeline.split import SplitResult
from pipeline.split.pool import SplitPool
from pipeline.stream import Consumed, DeadLetters, Send, where

log = logging.getLogger("pipeline.worker")

E = TypeVar("E")

#: The pure split: a page -> its stories and links (site memory and language engine bound in).
Splitter = Callable[[RawPage], SplitResult]


class SplitStage:
    def __init__(
        self,
        split: Splitter,
        send_story: Send,
        send_link: Send,
        dead_letters: DeadLetters,
        max_page_bytes: int,
        in_flight: int = 200,
        budget_seconds: float = 30.0,
        pool: SplitPool | None = None,
    ) -> None:
        self.split = split
        self.send_story = send_story
        self.send_link = send_link
        self.dead_letters = dead_letters
        self.max_page_bytes = max_page_bytes
        self.in_flight = in_flight
        self.budget_seconds = budget_seconds
        self.pool = pool
        self._lane = asyncio.Lock()  # without a pool: one page at a time, on a thread
        # two threads: a page over its budget may still hold one while the next page is split
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="split")

    async def _split(self, page: RawPage) -> SplitResult:
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._threads, self.split, page)
        try:
            return await asyncio.wait_for(work, self.budget_seconds)
        except TimeoutError:
            raise PermanentError(
                f"splitting took longer than {self.budget_seconds:g} s (WIRESTREAM_SPLIT_BUDGET_SECONDS)"
            ) from None

    async def page(self, message: Consumed) -> list[Awaitable[None]]:
        """Split one page; the sends of its stories and links (none when it was dead-lettered)."""
        try:
            if message.value is not None and len(message.value) > self.max_page_bytes:
                raise PermanentError(
                    f"page is {len(message.value)} bytes, over the cap of {self.max_page_bytes} "
                    "(WIRESTREAM_MAX_PAGE_BYTES)"
                )
            page = decode(RawPage, message.value)
            if self.pool is not None:
                assert message.value is not None
                result = await self.pool.split(page, message.value)
            else:
                async with self._lane:
                    result = await self._split(page)
        except PermanentError as exc:
            PAGES.labels("dead_letter").inc()
            await self.dead_letters.error(message, exc)
            return []
        except Exception as exc:  # a bug on one page must not stop the stream; keep the page
            log.exception("split failed unexpectedly", extra={"stage": "split", **where(message)})
            PAGES.labels("dead_letter").inc()
            await self.dead_letters(message, f"unexpected {type(exc).__name__}: {exc}", type(exc).__name__)
            return []
        PAGES.labels("split").inc()
        for story in result.stories:
            STORIES.labels(story.kind, story.lang).inc()
        links = [
            TeaserLink(url=link.url, title=link.title, site=page.site, page_url=page.canonical_url)
            for link in result.links
            if link.url
        ]
        log.debug(
            "page split into %d stories",
            len(result.stories),
            extra={"stage": "split", **where(message), "count": len(result.stories)},
        )
        return [
            *(self.send_story(story.id.encode(), story.to_bytes()) for story in result.stories),
            *(self.send_link(link.url.encode(), link.to_bytes()) for link in links),
        ]

    async def run(
        self,
        events: AsyncIterable[E],
        message_of: Callable[[E], Consumed],
        ack: Callable[[E], Awaitable[Any]],
    ) -> None:
        """Split every event; ``ack`` each once all its sends are confirmed. Pages are split
        concurrently when there is a pool (a site's pages in order, in its lane), else one at a time."""
        slots = asyncio.Semaphore(self.in_flight)
        working: set[asyncio.Task[None]] = set()

        async def handle(event: E) -> None:
            try:
                sends = await self.page(message_of(event))
                await asyncio.gather(*sends)
                await ack(event)
            finally:
                slots.release()

        async for event in events:
            await slots.acquire()
            task = asyncio.ensure_future(handle(event))
            working.add(task)
            task.add_done_callback(working.discard)
            await asyncio.sleep(0)  # the task takes its place in its lane's queue before the next page
        await asyncio.gather(*working)
