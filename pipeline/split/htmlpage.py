"""An HTML page into its article, teasers and links (pure): the boundaries come from the page's
structure, never from words inside the main text.

1. The page is parsed once; the extractor (trafilatura) and the teaser finder share the tree.
2. The article is what the extractor gives, with only these taken out: lines that are links to
   other pages (their text is the text of an ``<a>`` pointing elsewhere, maybe behind a short label
   such as "Read also:"), lines from boxes the page sets apart (fact boxes, embedded posts,
   captions: ``provenance.py``), widget headings, lines after the article from outside the element
   holding most of it, and boilerplate at the two ends (legal notices, prompts, share and cookie
   lines, bylines and dates, paragraphs the site repeats on other pages).
3. Teasers come from blocks of the DOM outside the main text (``teasers.py``): each with its own link,
   headline and lead. A block whose lead is part of the article is article text, not a teaser;
   teaser text the extractor let into the end of the article goes back to its teaser.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from pipeline.errors import PermanentError
from pipeline.fingerprint import normalise
from pipeline.split.cards import same_page
from pipeline.split.dom import Dom, Names
from pipeline.split.linklines import Anchor, anchors, link_target, plain_text_lines
from pipeline.split.overlap import at_least, piece_of, trigrams
from pipeline.split.paragraphs import BOILERPLATE_KINDS, Kind, Para, is_heading, paragraphs
from pipeline.split.provenance import Sources
from pipeline.split.segment import Decision, Segment, credit_at_end
from pipeline.split.teasers import Teaser, find_teasers


@dataclass
class HtmlSplit:
    article: Segment
    teasers: list[Segment] = field(default_factory=list)
    links: list[tuple[str, str | None]] = field(default_factory=list)  # (title, url)
    decisions: list[Decision] = field(default_factory=list)


#: The parser trafilatura uses (so the tree is the one it would build): no comments, no
#: processing instructions, no id index, no invented doctype.
PARSER_OPTIONS: dict[str, Any] = {
    "collect_ids": False,
    "default_doctype": False,
    "encoding": "utf-8",
    "remove_comments": True,
    "remove_pis": True,
}
#: Bytes libxml2 cannot hold: C0 controls but tab, line feed and carriage return.
CONTROL_BYTES = bytes(c for c in range(32) if c not in (9, 10, 13))
#: A doctype (libxml2 misreads some with a system identifier) and a self-closing ``<html .../>``.
DOCTYPE = re.compile(rb"^\s*<\s?!\s?doctype[^>]*>", re.IGNORECASE)
SELF_CLOSING_HTML = re.compile(rb"(<html\b[^<>]*?)\s*/>", re.IGNORECASE)


#: Elements that show no text. The extractor drops them too (its output is the same without them,
#: and faster); JSON-LD scripts stay (it reads them to recognise forum threads).
INVISIBLE = ("script", "style", "noscript", "template", "svg")


def parse(html: str) -> HtmlElement:
    """The page's tree, parsed once and shared by the extractor and the teaser finder, without
    scripts, styles and other elements that show no text.

    Control characters are dropped on the encoded bytes (a byte table in C: a regex over the text,
    as trafilatura's own loader does, costs half as much as the parse itself)."""
    if "\ufffe" in html or "\uffff" in html:  # noncharacters
        html = html.replace("\ufffe", "").replace("\uffff", "")
    data = html.encode("utf-8", "replace").translate(None, CONTROL_BYTES)
    data = DOCTYPE.sub(b"", data[:1024], count=1) + data[1024:]
    head = data[:4096]
    if SELF_CLOSING_HTML.search(head):
        data = SELF_CLOSING_HTML.sub(rb"\1>", head, count=1) + data[4096:]
    tree = _parse_bytes(data)
    if _too_deep():  # libxml2 stops at 256 levels: wrappers out, text kept, parsed again
        tree = _parse_bytes(WRAPPER_TAGS.sub(b" ", data))
    if tree is None or len(tree) < 1 or (b"html" not in data[:50].lower() and len(tree) < 2):
        raise PermanentError("HTML could not be parsed (no document in the markup)")
    for hidden in [*tree.iter(INVISIBLE)]:
        if hidden.tag != "script" or hidden.get("type") != "application/ld+json":
            hidden.drop_tree()
    return tree


def _parse_bytes(data: bytes) -> HtmlElement:
    try:
        return lxml_html.fromstring(data, parser=_parser())
    except Exception as exc:  # lxml raises assorted errors on broken markup
        raise PermanentError(f"HTML could not be parsed: {exc}") from exc


def _parser() -> lxml_html.HTMLParser:
    """The parser of this thread (a parser's error log is its own: threads must not share one)."""
    parser: lxml_html.HTMLParser | None = getattr(_local, "parser", None)
    if parser is None:
        parser = _local.parser = lxml_html.HTMLParser(**PARSER_OPTIONS)
        parser.set_element_class_lookup(FAST_LOOKUP)
    return parser


#: Every element an ``HtmlElement``, chosen in C: lxml.html's own lookup is a Python call per element
#: touched (a tenth of the split's time on real pages) only to give form fields their own classes,
#: which neither the extractor nor the splitter uses.
FAST_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml_html.HtmlElement, comment=lxml_html.HtmlComment, pi=lxml_html.HtmlProcessingInstruction
)


def _too_deep() -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in _parser().error_log)


_local = threading.local()
#: Container and inline-formatting tags: what a page nests thousands deep, and what can go without
#: losing text or paragraphs.
WRAPPER_TAGS = re.compile(
    rb"</?(?:div|span|section|article|main|aside|header|footer|font|center|b|i|u|em|strong|small|big"
    rb"|table|tbody|thead|tr|td|th)\b[^>]*>",
    re.IGNORECASE,
)


#: A fast extraction with fewer tokens than this is tried again with trafilatura's fallbacks.
SHORT_EXTRACTION = 200


def extract(tree: HtmlElement, url: str | None) -> tuple[str | None, list[str]]:
    """(title, main-text lines) from trafilatura on the shared tree (it works on its own copy).

    trafilatura without its fallback extractors (``fast``) is as good on news pages and 1.4 times
    faster; when it finds almost nothing, the full algorithm (readability and jusText compared)
    gets a second chance. Both read the page without the subtrees trafilatura deletes anyway.
    """
    title = page_title(tree)
    with _set_aside(tree):
        text = _trafilatura(tree, url, fast=True)
        if not at_least(text, SHORT_EXTRACTION):
            text = max(text, _trafilatura(tree, url, fast=False), key=len)
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    while title and lines and _repeats_title(lines[0], title):
        title = lines[0] if len(lines[0]) < len(title) else title  # the <h1>, without the site's name
        lines = lines[1:]  # trafilatura repeats the <h1> at the top of the text
    return title, lines


#: Elements trafilatura's main extractor deletes whatever they hold (its ``MANUALLY_CLEANED``): a
#: quarter of a news page's elements, mostly footers, sidebars and menus. Only its fallbacks over the
#: raw page read them: asides and footers never (its page-length measure leaves them out too), menus
#: in the baseline dump and that measure, where they only add menu lines to the text (1 of 304 pages
#: tried: 134 menu lines fewer) and make the recall retry a little likelier.
DELETED_BY_EXTRACTOR = ("aside", "footer", "nav", "menu")


@contextmanager
def _set_aside(tree: HtmlElement) -> Iterator[None]:
    """The tree without the subtrees the extractor deletes anyway, while it copies and reads it (it
    copies the tree first: less to copy and to scan with its XPath rules). Each subtree
    gives its place to an empty stand-in that keeps the text after it, and comes back after, so the
    teaser finder sees the page whole. A subtree with a script in it stays (the extractor reads
    JSON-LD to recognise forum threads)."""
    swapped: list[tuple[HtmlElement, HtmlElement]] = []
    gone: set[HtmlElement] = set()
    for el in [*tree.iter(DELETED_BY_EXTRACTOR)]:
        parent = el.getparent()
        if parent is None or el.find(".//script") is not None or any(a in gone for a in el.iterancestors()):
            continue
        stand_in = parent.makeelement(el.tag)
        stand_in.tail = el.tail
        parent.replace(el, stand_in)
        swapped.append((stand_in, el))
        gone.add(el)
    try:
        yield
    finally:
        for stand_in, el in reversed(swapped):
            stand_in.getparent().replace(stand_in, el)


def page_title(tree: HtmlElement) -> str | None:
    """The headline: the first ``<h1>``, else the page's Open Graph title, else its ``<title>``."""
    for found in (tree.find(".//h1"), tree.find(".//meta[@property='og:title']"), tree.find(".//title")):
        if found is not None:
            text = " ".join(
                str(found.get("content") if found.tag == "meta" else found.text_content()).split()
            )
            if text:
                return text
    return None


def _trafilatura(tree: HtmlElement, url: str | None, fast: bool) -> str:
    """The main text (trafilatura's metadata extraction is skipped: it costs a third of the time)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, fast=fast, with_metadata=False, include_comments=False, include_tables=True
        )
    except Exception as exc:  # assorted parser errors on broken markup
        raise PermanentError(f"HTML could not be parsed: {exc}") from exc
    fields: dict[str, Any] = doc if isinstance(doc, dict) else (doc.as_dict() if doc is not None else {})
    return str(fields.get("text") or "")


def _repeats_title(line: str, title: str) -> bool:
    """The line is the title, or the title's headline part ("Headline | Site", "Headline：Site")."""
    short, whole = normalise(line), normalise(title)
    return short == whole or (is_heading(line) and len(short) * 2 >= len(whole) and short in whole)


#: Markup that holds a date, a time, a byline or an update note (attribute names are written in
#: developers' English whatever the page's language; matched lower-cased, anywhere in a value:
#: "date" finds "dateline" and "updated" too).
METADATA_MARKUP = Names("date time byline author reporter published modified")


def metadata_texts(dom: Dom) -> list[str]:
    """Normalised texts of the page's date, time and byline elements, longest first."""
    found = set()
    for el in [*dom.named(METADATA_MARKUP), *dom.root.iter("time")]:
        text = normalise(" ".join(el.text_content().split()))
        if 2 < len(text) <= 120:
            found.add(text)
    return sorted(found, key=len, reverse=True)


def is_metadata(text: str, metadata: list[str]) -> bool:
    """The line is made of the page's date, time and byline elements and nothing else."""
    if len(text) > 320:  # cheap first: longer lines are never only dates and names
        return False
    rest = normalise(text)
    if len(rest) > 160:
        return False
    for piece in metadata:
        rest = rest.replace(piece, " ")
    return not re.search(r"[^\W\d_]", rest)


def split_html(
    html: str,
    page_url: str,
    recurring: Callable[[str], bool] | None = None,
    observe: Callable[[list[str]], None] | None = None,
) -> HtmlSplit:
    """``observe`` sees the main-text lines first (site memory); ``recurring`` tells whether the
    site repeats a paragraph on other pages."""
    tree = parse(html)
    title, lines = extract(tree, page_url)
    if observe is not None:
        observe(lines)
    dom = Dom(tree, page_url)
    links = anchors(dom)
    teasers = [t for t in find_teasers(dom) if not (t.url and same_page(t.url, page_url))]
    paras = paragraphs(lines)
    decisions: dict[int, Decision] = {}
    matched = {normalise(p.text) for p in paras if link_target(p.text, links) is not None}
    for key in plain_text_lines(tree, matched):
        links = {k: v for k, v in links.items() if k != key and not key.endswith(k)}
    result = HtmlSplit(Segment("article", title))
    metadata = metadata_texts(dom)
    for p in paras:
        if is_metadata(p.text, metadata):
            decisions[p.index] = Decision(p.index, p.text, "dropped", "a date, time or byline element")
    paras = [p for p in paras if p.index not in decisions]
    body = _article_body(paras, links, teasers, Sources(dom), recurring, result, decisions)
    result.article.paragraphs = [p.text for p in body]
    for p in body:
        decisions.setdefault(p.index, Decision(p.index, p.text, "article", "main text", 0))
    _credit(result.article)
    _teasers(teasers, result, page_url)
    result.decisions = [decisions[i] for i in sorted(decisions)]
    if not result.article.paragraphs and not result.teasers:
        raise PermanentError("no main text found in the HTML")
    return result


def _article_body(
    paras: list[Para],
    links: dict[str, Anchor],
    teasers: list[Teaser],
    sources: Sources,
    recurring: Callable[[str], bool] | None,
    result: HtmlSplit,
    decisions: dict[int, Decision],
) -> list[Para]:
    teaser_text = trigrams(" \n ".join(t for teaser in teasers for t in (teaser.title, teaser.lead) if t))
    leads = trigrams(" \n ".join(f"{t.title} \n {t.lead}" for t in teasers if t.lead))
    kept: list[Para] = []
    boxed = {paras[i].index for i in sources.boxed([p.raw for p in paras])}
    for p in paras:
        target = link_target(p.text, links)
        if piece_of(p.text, leads):  # an in-article teaser box the extractor took in
            decisions[p.index] = Decision(p.index, p.text, "dropped", "a teaser's text (the teaser is kept)")
        elif target is not None:
            result.links.append((target.title, target.url))
            decisions[p.index] = Decision(p.index, p.text, "link", "a link to another page")
        elif p.kind in (Kind.RELATED_HEADING, Kind.COMMENTS_HEADING, Kind.READ_ALSO):
            decisions[p.index] = Decision(p.index, p.text, "dropped", f"widget line ({p.kind})")
        elif p.kind in (Kind.METADATA, Kind.COUNTER):
            decisions[p.index] = Decision(p.index, p.text, "dropped", f"not story text ({p.kind})")
        elif p.index in boxed:
            decisions[p.index] = Decision(p.index, p.text, "dropped", SET_APART)
        else:
            kept.append(p)
    # the ends: lines from outside the article's block, boilerplate, the site's repeated
    # paragraphs, teaser text the extractor let in
    for p in kept[len(kept) - sources.outside_tail([p.raw for p in kept]) :]:
        decisions[p.index] = Decision(p.index, p.text, "dropped", "after the article, outside its block")
    kept = [p for p in kept if p.index not in decisions]
    while kept and _end_junk(kept[-1], teaser_text, recurring) is not None:
        p = kept.pop()
        decisions[p.index] = Decision(p.index, p.text, "dropped", str(_end_junk(p, teaser_text, recurring)))
    while kept and kept[0].kind in BOILERPLATE_KINDS:
        p = kept.pop(0)
        decisions[p.index] = Decision(p.index, p.text, "dropped", f"before the article ({p.kind})")
    return _widget_headings(kept, decisions)


#: Why a line from a fact box, an embedded post or a caption is not in the article.
SET_APART = "a box set apart (fact box, embed, caption)"


def _end_junk(
    p: Para, teaser_text: set[tuple[str, ...]], recurring: Callable[[str], bool] | None
) -> str | None:
    if p.kind in BOILERPLATE_KINDS:
        return f"after the article ({p.kind})"
    if piece_of(p.text, teaser_text):
        return "a teaser's text (the teaser is kept)"
    if recurring is not None and recurring(p.text):
        return "the site repeats it on other pages"
    if p.kind is Kind.HEADING:
        return "a heading with nothing under it"
    return None


def _widget_headings(kept: list[Para], decisions: dict[int, Decision]) -> list[Para]:
    """A heading directly followed by another heading, with links (already gone) between them, labels
    a widget: drop it. Headings over text stay (section headings of the article)."""
    out: list[Para] = []
    for i, p in enumerate(kept):
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        gap = (
            nxt is not None
            and nxt.index > p.index + 1
            and all(
                decisions.get(j) is not None and decisions[j].verdict == "link"
                for j in range(p.index + 1, nxt.index)
            )
        )
        if p.kind is Kind.HEADING and nxt is not None and nxt.kind is Kind.HEADING and gap:
            decisions[p.index] = Decision(p.index, p.text, "dropped", "heading of a list of links")
            continue
        out.append(p)
    return out


def _credit(article: Segment) -> None:
    if article.paragraphs:
        found = credit_at_end(article.paragraphs[-1])
        if found:
            text, article.credit = found
            article.paragraphs[-1] = text
            if not text:
                article.paragraphs.pop()


def _teasers(teasers: list[Teaser], result: HtmlSplit, page_url: str) -> None:
    with_leads = any(teaser.lead for teaser in teasers)
    body = trigrams(" ".join(result.article.paragraphs)) if with_leads else set()
    title = normalise(result.article.title or "")
    for teaser in teasers:
        if teaser.title and normalise(teaser.title) == title:
            continue
        if teaser.lead is None:
            result.links.append((teaser.title or "", teaser.url))
        elif not piece_of(teaser.lead, body):  # a lead the article holds is article text
            result.teasers.append(Segment("teaser", teaser.title, [teaser.lead], url=teaser.url))
