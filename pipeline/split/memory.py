"""Site memory: which paragraphs a site repeats across its pages (pure).

Legal notices, footers and rotating teasers recur on many pages of a site; an article's paragraphs
do not. The memory keeps, per (site, paragraph fingerprint), the day it was last seen and the digests
of a few pages it was seen on - enough to know "seen on at least N other pages" - so replays of one
page never inflate it.

Two tiers, because most paragraphs are an article's own and are never seen again:

* first sightings - a paragraph seen on one page so far - stay in this process only (a bounded
  least-recently-used table): nothing is written for them;
* a paragraph seen on a second page moves to the store, which is any mutable mapping: a dict
  offline, a faust table shared by every worker (and kept across restarts) in the stream. Only
  recurring paragraphs (the site's furniture) are written there, not every paragraph of every page.

A paragraph whose pages are split between two workers is found once one of them sees it twice.
Both tiers are bounded: first sightings by count, the store by :meth:`SiteMemory.prune`, which
forgets paragraphs not seen for ``max_age_days`` and, beyond ``max_entries``, the least recently
seen (the worker calls it on a timer).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

from pipeline.fingerprint import fingerprint

#: First sightings kept in a process, at most (least recently seen go first): about 15 MB.
FIRST_SIGHTINGS = 50_000
#: A paragraph seen on this many other pages of the site is the site's, not the article's.
DEFAULT_THRESHOLD = 2
#: Paragraphs shorter than this are not remembered (short lines are judged by other signals).
MIN_CHARS = 40
#: The first element of a stored value: "@<day>", the day (since 1970) the paragraph was last seen.
DAY_MARK = "@"


def today() -> int:
    return int(time.time() // 86_400)


class SiteMemory:
    def __init__(
        self,
        store: MutableMapping[str, list[str]] | None = None,
        threshold: int = DEFAULT_THRESHOLD,
        first_sightings: int = FIRST_SIGHTINGS,
    ) -> None:
        self.store: MutableMapping[str, list[str]] = {} if store is None else store
        self.threshold = threshold
        self.first_sightings = first_sightings
        # 64-bit digest of the key -> the one page it was seen on (compact: most paragraphs land here)
        self.first_seen: OrderedDict[int, str] = OrderedDict()
        self._lock = threading.Lock()  # pages may be split on more than one thread

    @staticmethod
    def key(site: str, text: str) -> str:
        return f"{site}|{fingerprint(text)}"

    @staticmethod
    def site_of(key: str) -> str:
        return key.split("|", 1)[0]

    def observe(self, site: str, page_url: str, paragraphs: Iterable[str], day: int | None = None) -> None:
        page = fingerprint(page_url)[:12]
        mark = f"{DAY_MARK}{today() if day is None else day}"
        for text in {p for p in paragraphs if len(p) >= MIN_CHARS}:
            key = self.key(site, text)
            stored = list(self.store.get(key) or [])
            if not stored:
                first = self._first_sighting(key, page)
                if first is None:
                    continue
                stored = [mark, first]
            pages = _pages(stored)
            grew = page not in pages and len(pages) <= self.threshold
            if grew:
                pages.append(page)
            if grew or not stored or stored[0] != mark:  # written once a day per paragraph at most
                self.store[key] = [mark, *pages]

    def _first_sighting(self, key: str, page: str) -> str | None:
        """Remember ``page`` as where ``key`` was first seen; the earlier page when there is one."""
        short = _short(key)
        with self._lock:
            first = self.first_seen.pop(short, None)
            if first is not None and first != page:
                return first
            self.first_seen[short] = page
            while len(self.first_seen) > self.first_sightings:
                self.first_seen.popitem(last=False)
            return None

    def recurring(self, site: str, page_url: str, text: str) -> bool:
        if len(text) < MIN_CHARS:
            return False
        page = fingerprint(page_url)[:12]
        pages = _pages(self.store.get(self.key(site, text)) or [])
        return sum(1 for p in pages if p != page) >= self.threshold

    def prune(self, max_entries: int, max_age_days: int, day: int | None = None) -> int:
        """Forget paragraphs last seen more than ``max_age_days`` ago, then the least recently seen
        beyond ``max_entries``. Returns how many were forgotten."""
        now = today() if day is None else day
        seen = {key: _day(value) for key, value in list(self.store.items())}
        old = [key for key, last in seen.items() if now - last > max_age_days]
        if len(seen) - len(old) > max_entries:
            rest = sorted((last, key) for key, last in seen.items() if now - last <= max_age_days)
            old += [key for _, key in rest[: len(rest) - max_entries]]
        for key in old:
            del self.store[key]
        return len(old)


#: A page whose paragraphs recur this much (by share of its long paragraphs) is a copy of a page
#: seen before - the same article under another URL - not a page made of the site's furniture.
COPY_SHARE = 0.8


class PageMemory:
    """Site memory as one page sees it: :meth:`observe` its paragraphs first, then ask whether a
    paragraph recurs (``page_memory(text)``). When nearly all of the page's paragraphs recur, the
    page is a republished copy and nothing of it counts as recurring (its article stays whole)."""

    def __init__(self, memory: SiteMemory, site: str, page_url: str) -> None:
        self.memory = memory
        self.site = site
        self.page_url = page_url
        self.copy = False

    def observe(self, texts: Iterable[str]) -> None:
        texts = [t for t in texts if len(t) >= MIN_CHARS]
        self.memory.observe(self.site, self.page_url, texts)
        recurring = sum(1 for t in texts if self.memory.recurring(self.site, self.page_url, t))
        self.copy = len(texts) >= 2 and recurring >= COPY_SHARE * len(texts)

    def __call__(self, text: str) -> bool:
        return not self.copy and self.memory.recurring(self.site, self.page_url, text)


def _short(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")


def _pages(value: list[str]) -> list[str]:
    return [v for v in value if not v.startswith(DAY_MARK)]


def _day(value: list[str] | None) -> int:
    """The day a stored paragraph was last seen (0 for values stored before days were kept)."""
    if value and value[0].startswith(DAY_MARK):
        return int(value[0][1:])
    return 0


class LoopStore(MutableMapping[str, list[str]]):
    """A store for a memory used on a worker thread while the real store (a faust table) belongs to
    the event loop: writes are handed to the loop (``call_soon_threadsafe``) and, until the loop has
    applied them, read back from a small overlay."""

    def __init__(self, store: MutableMapping[str, list[str]], call_soon: Callable[..., object]) -> None:
        self.base = store
        self.call_soon = call_soon
        self.overlay: dict[str, list[str]] = {}

    def __getitem__(self, key: str) -> list[str]:
        found = self.overlay.get(key)
        return found if found is not None else self.base[key]

    def get(self, key: str, default: Any = None) -> Any:
        found = self.overlay.get(key)
        return found if found is not None else self.base.get(key, default)

    def __setitem__(self, key: str, value: list[str]) -> None:
        self.overlay[key] = value
        self.call_soon(self._apply, key, value)

    def _apply(self, key: str, value: list[str]) -> None:  # on the loop
        try:
            self.base[key] = value
        finally:  # applied or failed (and logged by the loop), the overlay never keeps it
            if self.overlay.get(key) is value:
                del self.overlay[key]

    def __delitem__(self, key: str) -> None:
        self.overlay.pop(key, None)
        del self.base[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)
