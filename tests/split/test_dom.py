"""Names in markup: plain substring search that finds what the equivalent regex finds."""

from __future__ import annotations

import re

from lxml import html as lxml_html

from pipeline.split.dom import NAVIGATION, Dom, Names

VALUES = [
    "site-nav",
    "navbar",
    "canvas",
    "main-menu menu_item",
    "tags",
    "tag-list",
    "hashtag",
    "social_links",
    "Breadcrumb",
    "nav",
    "cookie-consent",
    "pager",
    "pagerank",
    "x nav2 nav",
    "",
    "İNav",
]


def test_whole_word_names_find_what_a_word_bounded_regex_finds() -> None:
    regex = re.compile(r"\b(?:" + "|".join(NAVIGATION.names) + r")\b")
    for value in VALUES:
        lowered = value.lower()
        assert bool(NAVIGATION.found_in(lowered)) == bool(regex.search(lowered)), value


def test_names_anywhere_and_the_elements_that_hold_them() -> None:
    page = lxml_html.fromstring(
        '<html><body><div class="Related-Stories"><p id="x">a</p></div>'
        '<div class="main-nav"><a href="/a">A</a></div><div data-section="more-news">b</div>'
        '<span class="plain">c</span></body></html>'
    )
    dom = Dom(page, "https://example.com/")
    tags = {el.tag for el in dom.named(Names("relat more"))}
    assert tags == {"div"} and len(dom.named(Names("relat more"))) == 2
    assert [el.get("class") for el in dom.named(NAVIGATION)] == ["main-nav"]
    assert dom.in_navigation(page.find(".//a")) and not dom.in_navigation(page.find(".//span"))
