"""A parsed page and what several passes over it need, computed once (pure): link targets, the
navigation areas, text of elements."""

from __future__ import annotations

import re
from functools import cached_property
from urllib.parse import urljoin

from lxml.html import HtmlElement

#: Menus, breadcrumbs, pagination, share and cookie bars (attribute names are developers' English).
NAVIGATION = re.compile(
    r"\b(?:nav|menu|breadcrumb|pagination|pager|social|share|cookie|consent|tags?)\b", re.IGNORECASE
)
ATTRIBUTES = ("class", "id", "role", "aria-label", "data-section")
#: Elements that carry one of the attributes above (XPath, evaluated in C).
WITH_ATTRIBUTES = "//*[@class or @id or @role or @aria-label or @data-section]"


def text_of(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def attributes(el: HtmlElement) -> str:
    return " ".join(str(el.get(a, "")) for a in ATTRIBUTES)


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
            found = self._targets[href] = urljoin(self.page_url, href).split("#", 1)[0]
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

    def links(self) -> list[tuple[HtmlElement, str]]:
        return [(link, target) for link, target, _ in self.link_texts]

    def in_navigation(self, el: HtmlElement | None) -> bool:
        """Inside a menu, a header, breadcrumbs, pagination, share or cookie bars (memoised)."""
        if el is None or not isinstance(el.tag, str):
            return False
        known = self._navigation.get(el)
        if known is None:
            own = el.tag in ("nav", "header", "menu") or bool(NAVIGATION.search(attributes(el)))
            known = self._navigation[el] = own or self.in_navigation(el.getparent())
        return known
