"""Where each line of the extracted main text comes from in the page's tree, and what that says
(pure). The extractor gives text without its elements; these find them again, by text.

Two things the page's structure tells that the words cannot:

* a line from a **box inside the article** (a fact or info box, an embedded social-media post, an
  image caption) is not the story's own text: the site set it apart;
* lines **after the article** that come from outside the element holding most of it (a sidebar, a
  paywall prompt, a support box below the body) are not the story either. Only the end is cut: a
  lead or summary often sits in a header apart from the body, and it belongs to the story.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

from lxml.html import HtmlElement

from pipeline.split.dom import Dom, Names

#: Boxes set apart inside an article (class and id names are developers' English whatever the
#: page's language): fact and info boxes, embedded posts of X/Twitter, Instagram and TikTok.
BOX_MARKUP = Names("factbox fact-box infobox info-box twitter-tweet instagram-media tiktok-embed")
#: Share of the text (in characters) boxes may hold; more, and the box is the article itself.
BOXED_AT_MOST = 0.8
#: Share of the article's text (in characters) the article's own block holds: the deepest element
#: with at least this much of it.
BLOCK_SHARE = 0.6
#: Characters of a line's start used to find its element: enough to tell lines apart, short enough
#: that the line's first text node usually holds all of them.
KEY_CHARS = 48
#: A text node shorter than this is not used to find lines ("–", "|", "Foto").
MIN_KEY_CHARS = 4
#: List marks the extractor or the page put before an item's text.
LIST_MARKS = "-–—•·*▪► "


def _key(text: str) -> str:
    return " ".join(text[: 2 * KEY_CHARS].split()).lstrip(LIST_MARKS)[:KEY_CHARS]


class Sources:
    """Line -> the element its text starts in, found through the page's text nodes (one walk over
    the elements, then a dictionary lookup per line, remembered). A start that several elements
    share is not used: better no element than the wrong one."""

    def __init__(self, dom: Dom) -> None:
        self._dom = dom
        self._box_of: dict[HtmlElement, bool] = {}
        self._found: dict[str, HtmlElement | None] = {}  # line -> its element (boxes and tail ask both)

    @cached_property
    def _starts(self) -> dict[str, HtmlElement | None]:
        """Start of each text node's text -> the element holding it (a tail's is its parent: the
        text after ``<div class="factbox">...</div>`` is not in the box)."""
        starts: dict[str, HtmlElement | None] = {}

        def add(text: str, holder: HtmlElement | None) -> None:
            key = _key(text)
            if len(key) >= MIN_KEY_CHARS:
                starts[key] = None if key in starts and starts[key] is not holder else holder

        root = self._dom.root
        body = root.find("body")
        for el in (root if body is None else body).iter():
            text, tail = el.text, el.tail
            if text and not text.isspace():
                add(text, el)
            if tail and not tail.isspace():
                add(tail, el.getparent())
        return starts

    def element(self, line: str) -> HtmlElement | None:
        """The element the line's text starts in, None when not found or not unique. A line whose
        first text node is shorter than the key ("Les også: " then a link) is found by that node."""
        if line not in self._found:
            starts, key = self._starts, _key(line)
            sizes = (size for size in range(len(key), MIN_KEY_CHARS - 1, -1) if key[:size] in starts)
            self._found[line] = next((starts[key[:size]] for size in sizes), None)
        return self._found[line]

    def in_box(self, line: str) -> bool:
        """The line comes from a fact box, an info box, an embedded post or an image caption."""
        el = self.element(line)
        return el is not None and self._boxed(el)

    def boxed(self, lines: Sequence[str]) -> set[int]:
        """Positions of the lines that come from boxes set apart, unless those hold nearly all the
        text (:data:`BOXED_AT_MOST`): then the "box" is the article itself (a wrapper named
        ``article-infobox``), and nothing is set apart. A long box beside a shorter article stays
        apart (a speech's full transcript under the story about it: 60% of the page's text)."""
        found = {i for i, line in enumerate(lines) if self.in_box(line)}
        if sum(len(lines[i]) for i in found) > BOXED_AT_MOST * sum(len(line) for line in lines):
            return set()
        return found

    def _boxed(self, el: HtmlElement) -> bool:
        """The element is, or is inside, a box (memoised: the lines of a page share ancestors)."""
        known = self._box_of.get(el)
        if known is None:
            parent = el.getparent()
            own = el.tag == "figcaption" or el in self._dom.named(BOX_MARKUP)
            known = self._box_of[el] = own or (parent is not None and self._boxed(parent))
        return known

    def outside_tail(self, lines: Sequence[str]) -> int:
        """How many lines at the end come from outside the article's block (0 when no element holds
        ``BLOCK_SHARE`` of the text). A line whose element is unknown goes with the lines around it:
        it is cut only when a line before it is cut too."""
        elements = [self.element(line) for line in lines]
        total = sum(len(line) for line in lines)
        held: dict[HtmlElement, int] = {}
        for line, el in zip(lines, elements, strict=True):
            if el is not None:
                for node in (el, *el.iterancestors()):
                    held[node] = held.get(node, 0) + len(line)
        enough = [(size, node) for node, size in held.items() if size >= BLOCK_SHARE * total]
        if not enough:
            return 0
        block = min(enough, key=lambda found: found[0])[1]  # the deepest (they nest: share > 1/2)
        cut = 0
        for position in range(len(lines) - 1, 0, -1):
            el = elements[position]
            if el is None:
                continue
            if el is block or block in el.iterancestors():
                break
            cut = len(lines) - position
        return cut
