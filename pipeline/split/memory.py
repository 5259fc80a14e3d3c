"""Site memory: which paragraphs a site repeats across its pages (pure).

Legal notices, footers and rotating teasers recur on many pages of a site; an article's paragraphs
do not. The memory keeps, per (site, paragraph fingerprint), the digests of a few pages it was seen
on - enough to know "seen on at least N other pages" - so replays of one page never inflate it.
The store is any mutable mapping: a dict offline, a faust table in the worker.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from pipeline.fingerprint import fingerprint

#: A paragraph seen on this many other pages of the site is the site's, not the article's.
DEFAULT_THRESHOLD = 2
#: Paragraphs shorter than this are not remembered (short lines are judged by other signals).
MIN_CHARS = 40


class SiteMemory:
    def __init__(
        self, store: MutableMapping[str, list[str]] | None = None, threshold: int = DEFAULT_THRESHOLD
    ) -> None:
        self.store: MutableMapping[str, list[str]] = {} if store is None else store
        self.threshold = threshold

    @staticmethod
    def key(site: str, text: str) -> str:
        return f"{site}|{fingerprint(text)}"

    def observe(self, site: str, page_url: str, paragraphs: Iterable[str]) -> None:
        page = fingerprint(page_url)[:12]
        for text in {p for p in paragraphs if len(p) >= MIN_CHARS}:
            key = self.key(site, text)
            pages = list(self.store.get(key) or [])
            if page not in pages and len(pages) <= self.threshold:
                self.store[key] = [*pages, page]

    def recurring(self, site: str, page_url: str, text: str) -> bool:
        if len(text) < MIN_CHARS:
            return False
        page = fingerprint(page_url)[:12]
        pages = self.store.get(self.key(site, text)) or []
        return sum(1 for p in pages if p != page) >= self.threshold
