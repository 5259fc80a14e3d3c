"""A parsed page and what several passes over it need, computed once (pure): link targets, the
elements whose markup (class, id, role, ...) names what they are, how many links each element holds,
the navigation areas.

Speed matters here: the HTML path must not cost more than the extractor it wraps, and every walk
over the tree from Python creates an object per element. So the naming attributes are read in C and
searched as one text for plain names (:class:`Names`, :meth:`Dom.named`): only the elements a name
is found in become Python objects. Links are read once (:attr:`Dom.link_texts`), and URL parsing is
cached.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Any, NamedTuple
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement


@dataclass(frozen=True)
class Names:
    """Names to look for in elements' naming attributes (lower-cased): anywhere in a value, or, with
    ``whole_words``, only between characters that are not word characters (as a regex's ``\\b``).
    Plain substring search: many times faster than a regex alternation over every value."""

    spaced: str  # the names, separated by spaces
    whole_words: bool = False

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(self.spaced.split())

    def found_in(self, text: str) -> list[int]:
        """Where the names start in ``text``."""
        starts = []
        for name in self.names:
            at = text.find(name)
            while at != -1:
                if not self.whole_words or _whole_word(text, at, at + len(name)):
                    starts.append(at)
                at = text.find(name, at + 1)
        return starts


def _whole_word(text: str, start: int, end: int) -> bool:
    """No word character right before ``start`` or at ``end``."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or before == "_" or after.isalnum() or after == "_")


#: Menus, breadcrumbs, pagination, share and cookie bars (attribute names are developers' English).
NAVIGATION = Names(
    "nav menu breadcrumb pagination pager social share cookie consent tag tags",
    whole_words=True,
)
#: Attributes whose values name what an element is (lower-cased and joined for matching).
ATTRIBUTES = ("class", "id", "role", "aria-label", "data-section", "itemprop")
NAMING_XPATHS = tuple(etree.XPath(f"//@{a}") for a in ATTRIBUTES)


def text_of(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


ORIGIN = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]*")


class UrlParts(NamedTuple):
    host: str  # without "www."
    path: str
    query: str


#: scheme://user@host:port/path?query#fragment (RFC 3986, appendix B), host lower-cased after.
URL = re.compile(
    r"^(?:[^:/?#]+:)?(?://(?:[^/?#@]*@)?(?P<host>\[[^\]]*\]|[^/?#:]*)(?::[^/?#]*)?)?"
    r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?"
)


@lru_cache(maxsize=65536)
def url_parts(url: str) -> UrlParts:
    """Host, path and query of a URL (cached: pages link to the same URLs over and over; one regex,
    five times cheaper than ``urlsplit``)."""
    found = URL.match(url)
    if found is None:  # the pattern matches any string; kept for the type checker
        return UrlParts("", url, "")
    host = found["host"] or ""
    return UrlParts(host.lower().strip("[]").removeprefix("www."), found["path"], found["query"] or "")


class Dom:
    def __init__(self, root: HtmlElement, page_url: str) -> None:
        self.root = root
        self.page_url = page_url
        self._targets: dict[str, str] = {}
        self._navigation: dict[HtmlElement, bool] = {}
        self._named: dict[Names, frozenset[HtmlElement]] = {}

    def target(self, href: str) -> str:
        """The absolute URL of a link (without its fragment), cached per href."""
        found = self._targets.get(href)
        if found is None:
            absolute = href if href.startswith(("https://", "http://")) else self._join(href)
            found = self._targets[href] = absolute.split("#", 1)[0]
        return found

    def _join(self, href: str) -> str:
        if href.startswith("/") and not href.startswith("//") and "/." not in href:
            return self._origin + href  # the common case, without urljoin's general parsing
        return urljoin(self.page_url, href)

    @cached_property
    def _origin(self) -> str:
        """scheme://host[:port] of the page."""
        found = ORIGIN.match(self.page_url)
        return found.group() if found else ""

    def named(self, names: Names) -> frozenset[HtmlElement]:
        """The elements with one of the names in a naming attribute (memoised per set of names)."""
        found = self._named.get(names)
        if found is None:
            values, text, starts = self._naming_text
            hits = {bisect_right(starts, at) - 1 for at in names.found_in(text)}
            found = self._named[names] = frozenset(values[i].getparent() for i in hits)
        return found

    @cached_property
    def _naming_text(self) -> tuple[list[Any], str, list[int]]:
        """Every naming attribute's value (each knows its element: lxml's "smart" strings), the
        values lower-cased and joined by line breaks, and where each starts in that text."""
        values = [value for path in NAMING_XPATHS for value in path(self.root)]
        lowered = [value.lower() for value in values]
        starts = [0, *accumulate(len(value) + 1 for value in lowered)][: len(values)]
        return values, "\n".join(lowered), starts

    @cached_property
    def _navigation_named(self) -> frozenset[HtmlElement]:
        return self.named(NAVIGATION)

    @cached_property
    def link_texts(self) -> list[tuple[HtmlElement, str, str]]:
        """Every link to a page, with its target and text (``#``, ``javascript:``, ``mailto:`` and
        ``tel:`` left out)."""
        found = []
        for link in self.root.iter("a"):
            href = str(link.get("href") or "").strip()
            if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
                found.append((link, self.target(href), text_of(link)))
        return found

    @cached_property
    def link_counts(self) -> dict[HtmlElement, int]:
        """How many links to pages each element holds (elements with none are absent)."""
        counts: dict[HtmlElement, int] = {}
        for link, _, _ in self.link_texts:
            for node in (link, *link.iterancestors()):
                counts[node] = counts.get(node, 0) + 1
        return counts

    def links(self) -> list[tuple[HtmlElement, str]]:
        return [(link, target) for link, target, _ in self.link_texts]

    def in_navigation(self, el: HtmlElement | None) -> bool:
        """Inside a menu, a header, breadcrumbs, pagination, share or cookie bars (memoised)."""
        if el is None or not isinstance(el.tag, str):
            return False
        known = self._navigation.get(el)
        if known is None:
            own = el.tag in ("nav", "header", "menu") or el in self._navigation_named
            known = self._navigation[el] = own or self.in_navigation(el.getparent())
        return known
