"""Lines of an article's main text that are links to other pages (pure): a related headline the
extractor kept as text, alone or behind a short label ("Les også:", "<strong>Kicker:</strong>").
Found from the page's links, never from the line's words."""

from __future__ import annotations

import re
from typing import NamedTuple

from lxml.html import HtmlElement

from pipeline.fingerprint import normalise
from pipeline.split.cards import same_page
from pipeline.split.dom import Dom, text_of

#: A short label before a link's text on the same line: "Les også:", "MORE :", "Auch interessant –".
LINK_LABEL = re.compile(r"^[^\W\d_][^.!?:]{0,40}?\s*[:|–—-]\s+", re.UNICODE)
#: A list item's mark at the start of a line.
LIST_MARK = re.compile(r"^\s*[-–—•·*▪►]\s+")
#: Anchor texts shorter than this (in characters) are not matched to lines ("Home", "More").
MIN_ANCHOR_CHARS = 12


class Anchor(NamedTuple):
    url: str
    title: str  # the link's own text, without a label beside it


def anchors(dom: Dom) -> dict[str, Anchor]:
    """Normalised text of every link to another page (and of a line that is such a link behind a
    short label) -> the link."""
    found: dict[str, Anchor] = {}
    others: dict[str, bool] = {}
    for link, target, text in dom.link_texts:
        if len(text) < MIN_ANCHOR_CHARS:
            continue
        if target not in others:
            others[target] = not same_page(target, dom.page_url)
        if others[target]:
            found.setdefault(normalise(text), Anchor(target, text))
            line = _labelled_line(link, text)
            if line is not None:
                found.setdefault(line, Anchor(target, text))
    return found


#: Elements that hold one line of text; a link with a short label in one is a link line.
LINE_TAGS = frozenset({"li", "p", "h2", "h3", "h4", "h5", "h6", "dt", "dd"})
#: A label beside a link ("Auch interessant:", "„Über manches irritiert“:") is short.
MAX_LABEL_CHARS = 40


def _labelled_line(link: HtmlElement, text: str) -> str | None:
    """The normalised text of the line that holds the link, when the link is nearly all of it and
    the rest a short label ("<li><strong>Kicker: </strong><a>Headline</a></li>"), however the label
    reads. A sentence that links a name ("<a>the minister</a> said on Monday") is not one."""
    node = link.getparent()
    if (
        node is not None
        and len(node) == 1
        and not (node.text or "").strip()
        and not (link.tail or "").strip()
    ):
        return None  # the link is its parent's only content (a menu's <li><a>): no label
    for _ in range(2):
        if node is None:
            return None
        if node.tag in LINE_TAGS:
            line = text_of(node)
            rest = len(line) - len(text)
            return normalise(line) if 0 < rest <= min(MAX_LABEL_CHARS, len(text) / 2) else None
        node = node.getparent()
    return None


#: Elements whose text may be a whole line of the main text.
TEXT_TAGS = (
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "span",
    "b",
    "strong",
    "em",
    "td",
    "dd",
    "dt",
    "blockquote",
    "figcaption",
)


def plain_text_lines(tree: HtmlElement, candidates: set[str]) -> set[str]:
    """Of the candidate lines (normalised), those the page also shows as text that is mostly not a
    link: a live blog's entry heading whose words are also a link in the sidebar is article text."""
    plain: set[str] = set()
    if not candidates:
        return plain
    for el in tree.iter(*TEXT_TAGS):
        text = " ".join(el.text_content().split())
        key = normalise(text)
        if key not in candidates or key in plain:
            continue
        linked = sum(len(" ".join(a.text_content().split())) for a in el.iter("a"))
        if linked < 0.5 * len(text):
            plain.add(key)
    return plain


def link_target(text: str, links: dict[str, Anchor]) -> Anchor | None:
    """The link when the line is a link to another page (alone, or behind a short label)."""
    key = normalise(text)
    if key in links:
        return links[key]
    text = LIST_MARK.sub("", text, count=1)  # a list item's "- " or "• " (the extractor writes one)
    label = LINK_LABEL.match(text)
    if label:
        return links.get(normalise(text[label.end() :]))
    return None
