"""Cut a page's paragraphs into stories (pure).

The page is read top to bottom:

1. leading boilerplate (breadcrumbs, bylines) is dropped; a short first line is the headline;
2. a news-in-brief roundup (several headed sections that do not talk about the same thing) becomes
   one story per section;
3. otherwise the article runs until the first end signal: an agency credit closing a paragraph
   ("... (ILKHA)"), a legal notice, a "related news" or comments heading, a paragraph the site
   repeats on many pages (site memory), a change of language, or - when none of those is there -
   a trailing run of self-contained paragraphs that share no vocabulary with the article;
4. after the article, each teaser item (a lead paragraph, optionally under its own headline) is a
   story; a headline with no lead is only a link; comments and prompts are dropped.

Every paragraph gets a :class:`Decision` with its reason, which `wirestream split --explain` prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.split import lexicon, tails
from pipeline.split.paragraphs import (
    BOILERPLATE_KINDS,
    HEADING_END,
    INNER_SENTENCE_END,
    Kind,
    Para,
    stems,
    strip_timestamps,
    word_count,
)
from pipeline.split.tails import labelled_link, teaser_list, timestamp

#: Roundup sections share less than this with each other.
ROUNDUP_COHESION = 0.10


@dataclass
class Segment:
    kind: str  # article | teaser
    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    credit: str | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Decision:
    index: int
    text: str
    verdict: str  # headline | article | teaser-title | teaser | dropped | link
    reason: str
    story: int | None = None


@dataclass
class Segmentation:
    segments: list[Segment]
    decisions: list[Decision]
    links: list[str] = field(default_factory=list)


@dataclass
class _Builder:
    decisions: dict[int, Decision] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    def drop(self, p: Para, reason: str) -> None:
        self.decisions[p.index] = Decision(p.index, p.text, "dropped", reason)

    def add(self, p: Para, verdict: str, reason: str) -> None:
        self.decisions[p.index] = Decision(p.index, p.text, verdict, reason, len(self.segments) - 1)


def credit_at_end(text: str) -> tuple[str, str] | None:
    """(text without the credit, agency) when the paragraph closes with an agency credit."""
    m = lexicon.AGENCY_END.search(text)
    if not m:
        return None
    agency = (m.group("paren") or m.group("dash") or m.group("slash") or "").strip()
    before = text[: m.start()].rstrip()
    known = agency.casefold() in lexicon.KNOWN_AGENCIES
    acronym = agency.isupper() and 2 <= len(agency.replace(".", "")) <= 10
    # "(UNHCR)" mid-sentence is an abbreviation; a credit follows a finished sentence
    finished = not before or before[-1] in ".!?…\"”»'’؟。"
    # scripts without capitals (Arabic, Persian, Kurdish): a one- or two-word name in parentheses
    uncased = agency[:1].isalpha() and not agency[:1].isupper() and not agency[:1].islower()
    short_name = uncased and len(agency.split()) <= 2 and bool(m.group("paren"))
    if known or ((acronym or short_name) and finished) or m.group("dash") or m.group("slash"):
        return before, agency
    return None


def segment(
    paras: list[Para],
    *,
    language: Callable[[str], str] | None = None,
    recurring: Callable[[str], bool] | None = None,
    unrelated_tail: bool = True,
) -> Segmentation:
    """Cut paragraphs into segments. ``language`` guesses a text's language (cheaply);
    ``recurring`` tells whether the site repeats a paragraph on many pages; ``unrelated_tail``
    allows the vocabulary-only end signal (plain text pages; HTML has its DOM instead)."""
    b = _Builder()
    leading, title_para, sections = _top_of_page(paras)
    for p in leading:
        if p is not title_para:
            reason = "label above the headline" if p.kind is Kind.HEADING else f"{p.kind} before the headline"
            b.drop(p, reason)
    if sections:
        _roundup(b, sections)
        return _finish(b, paras, [])

    article = Segment("article", title_para.text if title_para else None)
    b.segments.append(article)
    if title_para:
        b.add(title_para, "headline", "short line above the first paragraph, no closing punctuation")
    body, i, ended = _read_article(
        b,
        paras,
        len(leading),
        title_para,
        article,
        language or (lambda _text: "und"),
        recurring or (lambda _text: False),
    )
    handed_back = _hand_back(body, ended, title_para, unrelated_tail)
    for p in body:
        article.paragraphs.append(p.text)
        b.add(p, "article", "article body" + (f" ({p.note})" if p.note else ""))
    if body and ended.startswith("agency credit"):
        b.decisions[body[-1].index] = Decision(
            body[-1].index, body[-1].text, "article", f"article ends: {ended}", 0
        )
    links = _teasers(b, handed_back + paras[i:], tail_reason=bool(handed_back) and not ended)
    return _finish(b, paras, links)


def _top_of_page(paras: list[Para]) -> tuple[list[Para], Para | None, list[tuple[Para, list[Para]]]]:
    """The lines above the first paragraph of text (boilerplate, labels such as "LIVE" or a date,
    the headline), the headline among them, and the sections when the page is a roundup."""
    first_text = next((k for k, p in enumerate(paras) if p.kind is Kind.TEXT), len(paras))
    if first_text == 0:
        first_text = _after_banner(paras)
    announced = any(lexicon.ROUNDUP_HEADING.match(p.text) for p in paras[: max(first_text - 1, 0)])
    sections = _roundup_sections(paras[first_text - 1 :] if first_text else [], announced)
    leading = paras[: first_text - 1 if sections else first_text]
    headings = [p for p in leading if p.kind is Kind.HEADING]
    # the headline is the fullest of those lines ("LIVE", a byline or a section name are short)
    title = max(reversed(headings), key=lambda h: word_count(h.text)) if headings and not sections else None
    first = paras[first_text] if first_text < len(paras) else None
    short_title = title is None or word_count(title.text) <= 3
    text_follows = any(p.kind is Kind.TEXT for p in paras[first_text + 1 :])
    if not sections and first is not None and short_title and text_follows and _two_sentence_headline(first):
        # "Festival goes on tour. It will play in factory halls": a headline of two sentences
        return [*leading, first], first, sections
    return leading, title, sections


def _two_sentence_headline(p: Para) -> bool:
    """A short line of two sentences whose last one has no full stop, as headlines are written."""
    return (
        len(p.text) <= 140
        and word_count(p.text) <= 20
        and INNER_SENTENCE_END.search(p.text) is not None
        and not HEADING_END.search(p.text)
        and not p.text.endswith(("!", "?", "…", ")", "»", '"', "”"))
    )


def _after_banner(paras: list[Para]) -> int:
    """Where the text starts on a page that opens with a paragraph of text: after it when it is a
    banner (a cookie or subscription notice) - a lone paragraph, then several short lines with a
    headline among them, then the article's paragraphs. Otherwise 0."""
    after = next((k for k in range(1, len(paras)) if paras[k].kind is Kind.TEXT), len(paras))
    between = paras[1:after]
    runs_on = after + 1 < len(paras) and paras[after + 1].kind is Kind.TEXT
    if len(between) >= 3 and runs_on and any(p.kind is Kind.HEADING and len(p.text) >= 20 for p in between):
        return after
    return 0


def _roundup(b: _Builder, sections: list[tuple[Para, list[Para]]]) -> None:
    """A news-in-brief page: the first section is the article, every further one a teaser."""
    for head, section in sections:
        b.segments.append(Segment("article" if not b.segments else "teaser", head.text))
        b.add(head, "teaser-title" if len(b.segments) > 1 else "headline", "roundup section heading")
        for p in section:
            if p.kind in BOILERPLATE_KINDS:
                b.drop(p, str(p.kind))
                continue
            b.segments[-1].paragraphs.append(p.text)
            b.add(p, "article" if len(b.segments) == 1 else "teaser", "roundup section text")


def _read_article(
    b: _Builder,
    paras: list[Para],
    i: int,
    title: Para | None,
    article: Segment,
    lang_of: Callable[[str], str],
    seen_elsewhere: Callable[[str], bool],
) -> tuple[list[Para], int, str]:
    """Read the article body from ``i`` to its first end signal.
    Returns (body paragraphs, index after the article, why it ended or "")."""
    body: list[Para] = []
    article_lang = "und"
    while i < len(paras):
        p = paras[i]
        if p.kind in (Kind.RELATED_HEADING, Kind.COMMENTS_HEADING):
            return body, i, str(p.kind)
        if p.kind is Kind.LEGAL:
            b.drop(p, "legal notice")
            i += 1
            if body:
                return body, i, "legal notice"
            continue
        if p.kind is Kind.COUNTER and len(body) >= 2:
            return body, i, "timestamp or counter after the article"
        if p.kind in BOILERPLATE_KINDS or (not body and p.kind is Kind.HEADING and word_count(p.text) <= 4):
            b.drop(p, str(p.kind) if p.kind in BOILERPLATE_KINDS else "short line before the article text")
            i += 1
            continue
        if body and seen_elsewhere(p.text):
            return body, i, "paragraph repeated on other pages of the site"
        following = paras[i + 1] if i + 1 < len(paras) else None
        after = following is not None and following.kind is Kind.TEXT  # the article goes on after it
        if body and p.kind in (Kind.HEADING, Kind.TEXT) and after and labelled_link(p.text):
            b.drop(p, "a labelled link to another story inside the article")
            i += 1
            continue
        if p.kind is Kind.HEADING and sum(q.kind is Kind.TEXT for q in body) >= 2:
            why = teaser_list(paras[i + 1 :], title, body, p)
            if why:
                b.drop(p, "heading of a list of teasers")
                return body, i + 1, why
        if body and p.kind is Kind.TEXT and len(p.text) >= 60:
            if article_lang == "und":
                article_lang = lang_of(" ".join(q.text for q in ([title] if title else []) + body))
            other = lang_of(p.text)
            if article_lang != "und" and other not in ("und", article_lang):
                return body, i, f"language changes ({article_lang} -> {other})"
        text = p.text
        if not body:
            text = _strip_dateline(text, article)
        credit = credit_at_end(text) if p.kind is Kind.TEXT or not body else None
        if credit:
            text, article.credit = credit
        body.append(Para(p.index, p.raw, text, p.kind, p.note))
        i += 1
        if credit:
            return body, i, f"agency credit ({article.credit})"
    return body, i, ""


def _strip_dateline(text: str, article: Segment) -> str:
    """ "ANKARA (AA) – Parliament ..." -> "Parliament ...", with the agency as the article's credit."""
    dateline = lexicon.DATELINE.match(text)
    if not dateline:
        return text
    agency = (dateline.group("agency") or dateline.group("slashed") or dateline.group("caps") or "").strip()
    if not agency or len(agency) > 12:
        return text
    article.credit = agency
    return text[dateline.end() :]


def _hand_back(body: list[Para], ended: str, title: Para | None, unrelated_tail: bool) -> list[Para]:
    """Paragraphs read as article that belong to what follows it; removed from ``body``."""
    handed: list[Para] = []
    if not ended and unrelated_tail:
        tail = tails.unrelated_tail(title, body)
        if tail:
            handed, body[:] = body[-tail:], body[:-tail]
    if not ended.startswith("agency credit"):
        # headings right before the end belong to what follows: a section label, a teaser's title
        while body and body[-1].kind is Kind.HEADING:
            handed.insert(0, body.pop())
    return handed


def _finish(b: _Builder, paras: list[Para], links: list[str]) -> Segmentation:
    segments = [s for s in b.segments if s.paragraphs or (s.kind == "article" and s.title)]
    decisions = [b.decisions.get(p.index) or Decision(p.index, p.text, "dropped", "unclaimed") for p in paras]
    return Segmentation(segments, decisions, links)


def _teasers(b: _Builder, rest: list[Para], tail_reason: bool) -> list[str]:
    """Parse what follows the article into teaser stories; returns headline-only items."""
    links: list[str] = []
    zone = "teasers"
    j = 0
    while j < len(rest):
        p = rest[j]
        j += 1
        if p.kind is Kind.COMMENTS_HEADING:
            zone = "comments"
            b.drop(p, "comments heading")
            continue
        if p.kind is Kind.RELATED_HEADING:
            zone = "teasers"
            b.drop(p, "related-news heading")
            continue
        if zone == "comments":
            b.drop(p, "reader comment")
            continue
        if p.kind in BOILERPLATE_KINDS:
            b.drop(p, f"{p.kind} after the article")
            continue
        if j >= 2 and rest[j - 2].kind is Kind.PROMPT and p.kind is Kind.TEXT and len(p.text) < 200:
            b.drop(p, "text of the prompt above it")
            continue
        reason = (
            "self-contained paragraph unrelated to the article" if tail_reason else "teaser after the article"
        )
        if p.kind is Kind.HEADING and timestamp(p):
            b.drop(p, "timestamp (a short line with a small number)")
            continue
        if p.kind is Kind.HEADING:
            k = j
            while k < len(rest) and rest[k].kind is Kind.COUNTER:
                k += 1
            lead = rest[k] if k < len(rest) else None
            after = rest[k + 1] if k + 1 < len(rest) else None
            if lead is not None and lead.kind is Kind.TEXT and after is not None and after.kind is Kind.TEXT:
                b.drop(p, "section label (more than one paragraph follows)")
                continue
            if lead is not None and lead.kind is Kind.TEXT:
                for skipped in rest[j:k]:
                    b.drop(skipped, "timestamp")
                b.segments.append(Segment("teaser", strip_timestamps(p.text), [strip_timestamps(lead.text)]))
                b.add(p, "teaser-title", "teaser headline followed by its lead")
                b.add(lead, "teaser", reason)
                j = k + 1
            else:
                b.decisions[p.index] = Decision(p.index, p.text, "link", "teaser headline without a lead")
                links.append(p.text)
            continue
        text = strip_timestamps(p.text)
        if not text:
            b.drop(p, "timestamp")
            continue
        b.segments.append(Segment("teaser", None, [text]))
        b.add(p, "teaser", reason)
    return links


def _roundup_sections(paras: list[Para], announced: bool = False) -> list[tuple[Para, list[Para]]]:
    """Headed sections of a news-in-brief page, or [] when the page is not one. ``announced``: the
    page's headline says it is a roundup ("In brief", "Kısa kısa", "Коротко", ...)."""
    sections: list[tuple[Para, list[Para]]] = []
    for p in paras:
        if p.kind is Kind.HEADING:
            sections.append((p, []))
        elif sections:
            sections[-1][1].append(p)
        elif p.kind not in BOILERPLATE_KINDS:
            return []  # text before the first heading: an article, not a roundup
    while sections and not any(q.kind is Kind.TEXT for q in sections[-1][1]):
        sections.pop()  # a closing line with nothing under it ("Follow our channel")
    texts = [[q for q in body if q.kind is Kind.TEXT] for _, body in sections]
    if len(sections) < (2 if announced else 3) or any(not t or len(t) > 3 for t in texts):
        return []
    if announced:
        return sections
    bags = [
        stems(head.text + " " + " ".join(q.text for q in t))
        for (head, _), t in zip(sections, texts, strict=True)
    ]
    pairs = [(a, c) for x, a in enumerate(bags) for c in bags[x + 1 :]]
    mean = sum(len(a & c) / max(1, min(len(a), len(c))) for a, c in pairs) / len(pairs)
    return sections if mean < ROUNDUP_COHESION else []
