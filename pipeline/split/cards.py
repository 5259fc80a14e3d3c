"""Story cards in a page's DOM (pure): another story of the site, shown with its own link, a
headline and a lead, wherever the page puts it (a sidebar, a footer grid, an in-article box).

A card is found from its link up: the highest element around a story link that holds no other
story's link and at most one heading. Its headline is the heading (or the link's text), its lead the
longest run of text in it besides the headline. Language-free: only the shape of the markup counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from lxml.html import HtmlElement

from pipeline.fingerprint import normalise
from pipeline.split.dom import Dom, text_of, url_parts
from pipeline.split.paragraphs import UNSPACED, stems, word_count

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: A link whose text is shorter than this is an image, an icon or a label, not a story's headline.
MIN_HEADLINE_CHARS = 12
#: A lead has at least this many words (two characters of an unspaced script count as one).
MIN_LEAD_WORDS = 10
#: A card is small: more text than this is a page section, not a card.
MAX_CARD_CHARS = 1500
#: A card links to its story and perhaps its section, author or comments: more distinct links than
#: this make a list of links (a footer's imprint, terms and contact) around a blurb, not a card.
MAX_CARD_LINKS = 5
#: A lead is prose: a sentence ends in it, or it is cut off ("...", "…").
PROSE = re.compile(r"[.!?。！？؟।](?:[\"”’»)\]]*)(?:\s|$)|\.\.\.|…", re.UNICODE)
#: A lead, unlike a headline, ends like a sentence (or is cut off): a headline ends without a full
#: stop, or with a question or an exclamation.
LEAD_END = re.compile(r"(?:[.。…]|\.\.\.)[\"”’»)\]]*$", re.UNICODE)
#: Inline elements: text in them belongs to the run of text around them.
INLINE = frozenset(
    {"a", "b", "i", "em", "strong", "span", "br", "small", "time", "font", "abbr", "mark", "sup", "sub"}
)


@dataclass(frozen=True)
class Card:
    title: str | None
    lead: str | None
    url: str
    element: HtmlElement


def site_of(url: str) -> str:
    """The registrable part of the host, roughly: news.example.co.uk -> example.co.uk."""
    labels = url_parts(url).host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


def same_page(url: str, other: str) -> bool:
    """The same article: the same page under another query string ("?rct=national", "?ref=rss")
    when its path names an article of its own, or a sub-page of it that carries its numeric id
    (its photo page, its comments)."""
    a, b = url_parts(url), url_parts(other)
    if a.host != b.host:
        return False
    path, other_path = a.path.rstrip("/"), b.path.rstrip("/")
    if path == other_path:
        return a.query == b.query or (path.count("/") >= 2 and not path.endswith(DYNAMIC_PAGES))
    return bool(_ids(path) & _ids(other_path))


def _ids(path: str) -> set[str]:
    """Numeric ids in a path, dates left out (20241015 is a day, not an article)."""
    return {n for n in ARTICLE_ID.findall(path) if not DATE_NUMBER.fullmatch(n)}


DATE_NUMBER = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-3]\d)?")


DYNAMIC_PAGES = (".php", ".asp", ".aspx", ".jsp", ".cgi")
ARTICLE_ID = re.compile(r"\d{5,}")
SLUG_PART = re.compile(r"[^\W_]+", re.UNICODE)


#: Path segments of pages that are not stories (a tie-breaker: URLs are written in developers'
#: English and a few common languages far more than in their site's language).
NOT_STORIES = frozenset(
    [
        "category",
        "categories",
        "tag",
        "tags",
        "topic",
        "topics",
        "section",
        "rubrik",
        "thema",
        "themen",
        "info",
        "legal",
        "rechtliches",
        "impressum",
        "karriere",
        "jobs",
        "job",
        "stellenmarkt",
        "stellenanzeigen",
        "newsletter",
        "newsletters",
        "subscribe",
        "subscription",
        "abo",
        "account",
        "login",
        "register",
        "search",
        "suche",
    ]
)


def looks_like_story(url: str) -> bool:
    """An article's address: its last path segment is a slug of three or more words, or the path or
    query holds a numeric id. Section fronts, author pages, subscription, legal and search pages
    are not (/newsletters, /author/jane-doe, /subscribe/, /search?q=...)."""
    parts = url_parts(url)
    segments = [seg for seg in unquote(parts.path).split("/") if seg]
    if any(seg.lower() in NOT_STORIES for seg in segments[:-1]):
        return False
    last = segments[-1].rsplit(".", 1)[0] if segments else ""
    words = [w for w in re.split(r"[-_+]", last) if SLUG_PART.search(w)]
    return len(words) >= 3 or bool(ARTICLE_ID.search(parts.path) or ARTICLE_ID.search(parts.query))


#: An id in an article's address: five digits or more, a hexadecimal id (a UUID's parts), or a date
#: (/2024/04/, 2024-04-28); a year alone is a word of the slug ("ridership-2025").
NUMBERED = re.compile(
    r"\d{5,}|(?:19|20)\d{2}(?:/\d{1,2}/|-\d{2}-\d{2})|(?<![0-9a-z])(?=[a-f]*\d)(?=\d*[a-f])[0-9a-f]{8,}(?![0-9a-z])",
    re.IGNORECASE,
)


def numbered(url: str) -> bool:
    parts = url_parts(url)
    return bool(NUMBERED.search(parts.path) or NUMBERED.search(parts.query))


def story_links(dom: Dom) -> list[tuple[HtmlElement, str]]:
    """Links to other articles of the site (target without fragment). A site addresses its articles
    one way: when the page's own address carries an id or a date, another story's does too
    (/market-data-terms-of-service/ beside /2023/04/28/slug.html is a utility page)."""
    own, site = dom.page_url.split("#", 1)[0], site_of(dom.page_url)
    own_numbered = numbered(own)
    verdicts: dict[str, bool] = {}
    found = []
    for link, target in dom.links():
        if target not in verdicts:
            verdicts[target] = (
                not same_page(target, own)
                and site_of(target) == site
                and looks_like_story(target)
                and (numbered(target) or not own_numbered)
            )
        if verdicts[target]:
            found.append((link, target))
    return found


def find_cards(dom: Dom, blocks: Sequence[HtmlElement] = ()) -> list[Card]:
    """The story cards of the page; ``blocks`` are containers known to hold teasers."""
    root = dom.root
    links = story_links(dom)
    # which story targets and how many headings each element holds, counted once per element
    targets: dict[HtmlElement, set[str]] = {}
    texts = {link: text for link, _, text in dom.link_texts}
    links = [(link, target) for link, target in links if len(texts[link]) >= MIN_HEADLINE_CHARS]
    for link, target in links:  # image and label links (short text) do not bound a card
        for node in (link, *link.iterancestors()):
            targets.setdefault(node, set()).add(target)
    headings: dict[HtmlElement, int] = {}
    for heading in root.iter(*HEADINGS[:4]):  # h5 and h6 hold kickers and bylines as often as titles
        for node in (heading, *heading.iterancestors()):
            headings[node] = headings.get(node, 0) + 1
    by_target: dict[str, Card] = {}  # a story linked twice: the card that shows a lead wins
    sizes: dict[HtmlElement, int] = {}  # text length per element, measured once
    for link, target in links:
        item = _item(link, target, targets, headings, sizes)
        card = _card(item, link, target) if item is not None else None
        if (
            card is not None
            and not dom.in_navigation(card.element)
            and (target not in by_target or (card.lead and not by_target[target].lead))
        ):
            by_target[target] = card
    cards = list(by_target.values())
    within = set(blocks)
    return [card for card in cards if card.lead is None or _placed_as_a_teaser(card, cards, within)]


def talks_about(title: str, lead: str) -> bool:
    """A lead takes up its headline: they share a content word (its first five letters), or three
    characters of an unspaced script."""
    if stems(title) & stems(lead):
        return True
    return len(set(UNSPACED.findall(title)) & set(UNSPACED.findall(lead))) >= 3


def title_cased(text: str) -> bool:
    """Written as a headline in a cased script: nearly every longer word capitalised ("People in
    Denmark Are a Lot Happier Than People in the United States."). A sentence capitalises a few
    (German its nouns, about half)."""
    cased = [w for w in CASED_WORD.findall(text) if len(w) >= 4]
    return len(cased) >= 6 and sum(w[0].isupper() for w in cased) >= 0.8 * len(cased)


CASED_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _signature(el: HtmlElement) -> tuple[str, str]:
    return el.tag, " ".join(sorted(str(el.get("class") or "").split()))


def _placed_as_a_teaser(card: Card, cards: list[Card], blocks: set[HtmlElement]) -> bool:
    """A card with a lead is a teaser when it is one of a set (another card of the same kind, or
    under the same parent), or stands alone inside the page's main content (an in-article teaser
    box) with a lead about its headline, or in a teaser block ("related", an aside). A lone
    described link elsewhere is a utility (terms of use, a newsletter, a category)."""
    if any(node in blocks for node in (card.element, *card.element.iterancestors())):
        return True
    parent = card.element.getparent()
    for other in cards:
        if other is card:
            continue
        if _signature(other.element) == _signature(card.element) or other.element.getparent() is parent:
            return True
    inside = any(node.tag in ("main", "article") for node in card.element.iterancestors())
    # alone, its lead must take up its headline (an author's bio beside a link is not a lead)
    return inside and card.lead is not None and talks_about(card.title or "", card.lead)


def _item(
    link: HtmlElement,
    target: str,
    targets: dict[HtmlElement, set[str]],
    headings: dict[HtmlElement, int],
    sizes: dict[HtmlElement, int],
) -> HtmlElement | None:
    item: HtmlElement | None = None
    size = 0
    for node in (link, *link.iterancestors()):
        found = targets.get(node) or set()
        other_target = len(found) > 1 or (len(found) == 1 and target not in found)  # no copy: sets are long
        if other_target or headings.get(node, 0) > 1 or node.tag in ("body", "html"):
            break
        grown = sizes.get(node)
        if grown is None:
            grown = sizes[node] = len(text_of(node))
        if item is not None and grown > 600 and grown > 4 * size:
            break  # the card ends where a much larger section (the article itself) begins
        item, size = node, grown
    if item is None or size > MAX_CARD_CHARS:
        return None
    return item


def _card(item: HtmlElement, link: HtmlElement, target: str) -> Card | None:
    heading = next(item.iter(*HEADINGS), None)
    title = text_of(heading) if heading is not None else text_of(link)
    if len(title) < MIN_HEADLINE_CHARS:
        title = max((text_of(a) for a in item.iter("a")), key=len, default="")
    if len(title) < MIN_HEADLINE_CHARS:
        return None
    runs = [
        text
        for el in item.iter()
        if isinstance(el.tag, str)
        and el.tag not in INLINE
        and not any(isinstance(child.tag, str) and child.tag not in INLINE for child in el)
        and (text := text_of(el))
    ]
    whole = text_of(link)
    if word_count(whole) > 12 and LEAD_END.search(whole) and not title_cased(whole):
        return Card(title=None, lead=whole, url=target, element=item)  # the link is the whole lead
    if (
        heading is None
        and word_count(title) > 12
        and LEAD_END.search(title)
        and len(runs) <= 2
        and not title_cased(title)
    ):
        return Card(title=None, lead=title, url=target, element=item)  # the link is the whole lead
    key = normalise(title)
    leads = [run for run in runs if normalise(run) != key and key not in normalise(run)]
    lead = max(leads, key=len, default=None)
    if lead is not None and (word_count(lead) < MIN_LEAD_WORDS or not PROSE.search(lead)):
        lead = None  # a kicker, a date, a list of tags: not a lead
    if lead is not None and len(text_of(item)) > 1.5 * (len(title) + len(lead)) + 100:
        lead = None  # not a compact card: a section with one link in it
    if lead is not None and len({a.get("href") for a in item.iter("a")}) > MAX_CARD_LINKS:
        lead = None  # a list of links around a blurb (a footer's tagline among its imprint links)
    return Card(title=title, lead=lead, url=target, element=item)
