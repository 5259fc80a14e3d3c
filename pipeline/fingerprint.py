"""Deterministic story ids and text fingerprints (pure).

* The article of a page is identified by its page: re-publishing the page, or an updated version of
  the article, writes the same document.
* A teaser with its own link is identified by that link; one without is identified by its text, so
  the same footer teaser seen on fifty pages of a site is one document.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Case-, accent-width- and punctuation-insensitive form of a text, for comparing stories.

    The splitter compares the same lines and link texts many times: short texts are cached."""
    return _normalise_short(text) if len(text) <= 1000 else _normalise(text)


def _normalise(text: str) -> str:
    if not unicodedata.is_normalized("NFKC", text):  # the check is far cheaper than normalize's own
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    return _NON_WORD.sub(" ", text).strip()


_normalise_short = lru_cache(maxsize=16384)(_normalise)


def clear_cache() -> None:
    _normalise_short.cache_clear()


def _digest(*parts: str, size: int = 20) -> str:
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        h.update(part.encode())
        h.update(b"\x1f")
    return h.hexdigest()


def fingerprint(text: str) -> str:
    """Equal (normalised) text, equal fingerprint."""
    return _digest(normalise(text), size=16)


def article_id(site: str, page_url: str) -> str:
    return _digest("article", site, page_url)


def teaser_id(site: str, text: str, url: str | None) -> str:
    return _digest("teaser", site, url) if url else _digest("teaser", site, fingerprint(text))
