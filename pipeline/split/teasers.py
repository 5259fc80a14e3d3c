"""Teaser blocks in an HTML page's DOM (pure).

Sites put other stories in recognisable places: ``<aside>`` and ``<footer>`` elements, containers
whose class, id or label says so (related, teaser, card, more, recommended, most-read, latest, ...),
and lists of cards: three or more siblings of one kind, each holding one link of its own. Inside
such a block each item is a link (the teaser's headline and its own URL) with, sometimes, a lead
paragraph. An item with a lead is a teaser story; a bare headline is only a link for the scraper to
fetch. Navigation (``<nav>``, menus, breadcrumbs) is not a teaser block.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import html as lxml_html

from pipeline.fingerprint import normalise
from pipeline.split.cards import find_cards
from pipeline.split.dom import Dom, Names
from pipeline.split.lexicon import RELATED_HEADING

#: Names of teaser containers (in class, id, ... attributes).
TEASER_HINT = Names(
    "relat teaser card more recommend popular most latest also readnext read-next suggest other"
    " trend headlines newslist news-list sidebar widget footer ilgili benzer diger haber mehr"
    " weitere lire noticias relacionad correlat leggi похож читайте مرتبط ذات"
)
#: A lead shorter than this is a dek or a label, not a teaser's story text.
MIN_LEAD_CHARS = 60


@dataclass(frozen=True)
class Teaser:
    title: str | None
    lead: str | None
    url: str | None


def _is_sentence(text: str) -> bool:
    return len(text) >= MIN_LEAD_CHARS and len(text.split()) > 12 and text.rstrip()[-1:] in ".!?…؟"


def _text(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


CONTAINERS = frozenset({"section", "div", "ul", "ol"})


def _blocks(dom: Dom) -> list[lxml_html.HtmlElement]:
    """Outermost teaser containers, in page order (a block inside another block is the same block)."""
    hinted = set(dom.root.iter("aside", "footer"))
    hinted.update(el for el in dom.named(TEASER_HINT) if el.tag in CONTAINERS)
    blocks: list[lxml_html.HtmlElement] = []
    taken: set[lxml_html.HtmlElement] = set()
    for el in dom.root.iter("aside", "footer", "section", "div", "ul", "ol"):
        if el not in hinted or any(node in taken for node in el.iterancestors()):
            continue
        if not dom.link_counts.get(el) or dom.in_navigation(el) or next(el.iter("h1"), None) is not None:
            continue
        taken.add(el)
        blocks.append(el)
    return blocks


def _item_of(
    link: lxml_html.HtmlElement, block: lxml_html.HtmlElement, counts: dict[lxml_html.HtmlElement, int]
) -> lxml_html.HtmlElement:
    """The item a link belongs to: its highest ancestor below the block holding only this link."""
    if counts.get(block, 0) == 1:
        return block  # a card of its own
    item = link
    for node in link.iterancestors():
        if node is block or counts.get(node, 0) > 1:
            break
        item = node
    return item


def find_teasers(dom: Dom) -> list[Teaser]:
    """The teasers of a page parsed by ``htmlpage.parse`` (no scripts, no styles): story cards of
    the site with a lead (see cards.py), then headline-only items of teaser blocks."""
    blocks = _blocks(dom)
    teasers = [Teaser(card.title, card.lead, card.url) for card in find_cards(dom, blocks) if card.lead]
    seen = {normalise(t.title or t.lead or "") for t in teasers}
    carded = {t.url for t in teasers}
    for item in _block_items(dom, blocks):
        if item.url not in carded and normalise(item.title or item.lead or "") not in seen:
            seen.add(normalise(item.title or item.lead or ""))
            teasers.append(Teaser(item.title or item.lead, None, item.url))
    return teasers


def _block_items(dom: Dom, blocks: list[lxml_html.HtmlElement]) -> list[Teaser]:
    """Items of the teaser blocks: headline, lead when there is one, link."""
    teasers: list[Teaser] = []
    seen: set[str] = set()
    for block in blocks:
        for link in block.iter("a"):
            href = str(link.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:")) or dom.in_navigation(link):
                continue
            item = _item_of(link, block, dom.link_counts)
            # a heading that labels the block ("Related news") is not the teaser's headline
            headings = (_text(h) for h in item.iter("h2", "h3", "h4", "h5"))
            heading = next((text for text in headings if not RELATED_HEADING.match(text)), None)
            title: str | None = heading if heading is not None else _text(link)
            if not title or len(title.split()) < 3:
                continue  # "More", "Next", icons
            key = normalise(title)
            leads = [text for p in item.iter("p") if (text := _text(p)) and normalise(text) != key]
            lead = max(leads, key=len) if leads else None
            if lead is not None and len(lead) < MIN_LEAD_CHARS:
                lead = None
            if lead is None and heading is None and _is_sentence(title):
                title, lead = None, title  # the link is the whole lead
            elif lead is not None and title and lead in title:
                title = title.replace(lead, " ").strip() or None  # the lead sits inside the link
            key = normalise(title or lead or "")
            if key in seen:
                continue
            seen.add(key)
            teasers.append(Teaser(title=title, lead=lead, url=dom.target(href)))
    return teasers
