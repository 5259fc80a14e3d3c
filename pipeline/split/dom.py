"""A parsed page and what several passes over it need, computed once (pure): link targets, the
marked-up elements (class, id, role, ...), how many links each element holds, the navigation areas.

Speed matters here: the HTML path must not cost more than the extractor it wraps, and every walk
over the tree from Python creates an object per element. So the tree is walked once
(:attr:`Dom.marked`), links once (:attr:`Dom.link_texts`), and URL parsing is cached.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import NamedTuple
from urllib.parse import urljoin

from lxml import etree
from lxml.html import HtmlElement

#: Menus, breadcrumbs, pagination, share and cookie bars (attribute names are developers' English).
NAVIGATION = re.compile(r"\b(?:nav|menu|breadcrumb|pagination|pager|social|share|cookie|consent|tags?)\b")
#: Attributes whose values name what an element is (lower-cased and joined for matching).
ATTRIBUTES = ("class", "id", "role", "aria-label", "data-section", "itemprop")
NAMING_XPATHS = tuple(etree.XPath(f"//@{a}") for a in ATTRIBUTES)


def text_of(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def attributes(el: HtmlElement) -> str:
    """The element's naming attributes, lower-cased, space-joined ("" when it has none)."""
    values = el.attrib
    if not values:
        return ""
    return " ".join(str(values.get(a, "")) for a in ATTRIBUTES).lower()


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

    @cached_property
    def marked(self) -> dict[HtmlElement, str]:
        """Every element with a naming attribute -> those attributes, lower-cased (one XPath
        evaluation in C, instead of a walk over every element)."""
        found: dict[HtmlElement, str] = {}
        for path in NAMING_XPATHS:  # one path per attribute: a union would sort into page order
            for value in path(self.root):
                el = value.getparent()
                found[el] = f"{found.get(el, '')} {value.lower()}"
        return found

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
            own = el.tag in ("nav", "header", "menu") or bool(NAVIGATION.search(self.marked.get(el, "")))
            known = self._navigation[el] = own or self.in_navigation(el.getparent())
        return known
