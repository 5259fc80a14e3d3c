"""What follows an article on a plain-text page (pure): where a list of teasers begins, and which
trailing paragraphs are teasers rather than article text. Language-free: only the shape of the lines
(headlines, one-paragraph leads, timestamps, labels) and the words paragraphs share count.
"""

from __future__ import annotations

import itertools
import re

from pipeline.split.paragraphs import (
    HAN_OR_KANA,
    Kind,
    Para,
    cohesion,
    is_heading,
    sentences,
    stems,
    word_count,
)

#: Below this share of shared stems a trailing paragraph does not talk about the article.
LOW_COHESION = 0.08
#: Items under a heading that is not a question share less than this with the article (mean stem
#: share): an article's own last section takes up its words more (0.1-0.3 on the labelled pages).
LABELLED_LIST_COHESION = 0.2
#: A lead paragraph is at most this long (longer trailing text is article text).
LEAD_MAX_CHARS = 520


#: "Read also: <headline>" in any language: a short label, a colon, a headline; or 【label】headline,
#: [label] headline; after an arrow or a bullet ("▶ Read also: ...").
LABELLED_LINK = re.compile(
    r"^[▶►▸▷→»■□●•*]?\s*(?:(?P<label>[^\W\d_][^:：፦]{0,30}?)\s*[:：፦]|【[^】]{1,20}】|\[[^\]\d]{1,20}\])"
    r"\s*(?P<rest>\S.*)$"
)


def labelled_link(text: str) -> bool:
    """A short label, a colon and another story's headline (which may carry a second, short
    sentence: "CZYTAJ TEŻ: Górnicy dostaną odprawy szybciej. Jest decyzja ministerstwa")."""
    found = LABELLED_LINK.match(text)
    if found is None or len(text) > 200 or len((found["label"] or "").split()) > 4:
        return False
    rest = found["rest"]
    headline = is_heading(rest) or (len(rest) <= 150 and not rest.endswith((".", "。", "።")))
    if not headline or (is_heading(rest) and rest.endswith(("?", "？", "؟"))):
        return False
    return word_count(rest) >= 3 or bool(HAN_OR_KANA.search(rest))


#: A clock time near the start of a paragraph: "14:20 ...", "вчора, 19:45 ...", "Ayer 21.40 ...".
TIME_AT_START = re.compile(r"^\W*(?:[^\W\d_]+,?\s+){0,3}\d{1,2}[:.]\d{2}\b")
#: A small number or a clock time, as in "2 giờ trước", "Minti 45 da suka wuce", "Jiya, 16:30".
RELATIVE_TIME = re.compile(r"(?<![\d.,])\d{1,2}(?:[:.]\d{2})?(?![\d.,]*\d{3})")
#: Timestamped items cohere with the article less than this (mean stem share): a live blog's entries,
#: timestamped too, are about its story.
LIST_COHESION = 0.3


def timestamp(p: Para) -> bool:
    """A short line with a small number or a clock time: "2 giờ trước", "Jiya, 16:30"."""
    return word_count(p.text) <= 5 and bool(RELATIVE_TIME.search(p.text))


def teaser_list(rest: list[Para], title: Para | None, body: list[Para], heading: Para | None = None) -> str:
    """Why what follows a heading is a list of teasers ("" when it is not): up to the end of the page,
    one-paragraph items that either have their own headlines (not questions: a Q&A is the article's),
    or start with a clock time, or share little vocabulary with the article under a heading that is
    not a question (an article's own sections are mostly questions, and take up its words).
    Language-free."""
    content = [p for p in rest if p.kind in (Kind.TEXT, Kind.HEADING)]
    texts = [p for p in content if p.kind is Kind.TEXT]
    if len(texts) < 2 or not all(is_lead(p) for p in texts):
        return ""
    stamps = [p for p in content if p.kind is Kind.HEADING and timestamp(p)]
    headlines = [
        p
        for p in content
        if p.kind is Kind.HEADING and p not in stamps and not p.text.endswith(("?", "？", "؟"))
    ]
    if len(headlines) >= 2 and len(texts) <= 1.5 * len(headlines):  # an article's sections run longer
        return "a list of teasers follows (headlines over one-paragraph leads)"
    context = stems(" ".join([title.text if title else ""] + [p.text for p in body]))
    shared = [cohesion(p.text, context) for p in texts]
    timed = len(stamps) + sum(bool(TIME_AT_START.match(p.text)) for p in texts)
    if timed >= 2 and sum(shared) / len(shared) < LIST_COHESION:
        return "a list of teasers follows (timestamped one-paragraph items)"
    if all(c < LOW_COHESION for c in shared):
        return "a list of teasers follows (one-paragraph items unrelated to the article)"
    labelled = heading is not None and not heading.text.endswith(("?", "？", "؟"))
    if labelled and sum(shared) / len(shared) < LABELLED_LIST_COHESION:
        return "a list of teasers follows (one-paragraph items that take up little of the article)"
    return ""


def is_lead(p: Para) -> bool:
    return p.kind is Kind.TEXT and len(p.text) <= LEAD_MAX_CHARS and sentences(p.text) <= 3


def unrelated_tail(title: Para | None, body: list[Para]) -> int:
    """How many trailing body paragraphs are teasers: self-contained items (a lead, maybe under its
    own headline) that share no vocabulary with the article before them, nor with each other. 0 when
    the page gives no such run. Language-free: only shape and shared words count."""
    if len(body) < 4:
        return 0
    best = 0
    for k in range(len(body) - 1, 1, -1):
        candidate = body[k:]
        items = _items(candidate)
        if items is None:
            if candidate[0].kind is Kind.HEADING:
                continue  # a headline whose lead is already in the run: try from the headline up
            break
        context = stems(" ".join([title.text if title else ""] + [p.text for p in body[:k]]))
        texts = [" ".join(p.text for p in item) for item in items]
        if any(cohesion(text, context) >= LOW_COHESION for text in texts):
            break
        if any(cohesion(a, stems(c)) >= 0.25 for a, c in itertools.pairwise(texts)):
            break
        best = len(candidate)
    return best if best >= 2 else 0


def _items(run: list[Para]) -> list[list[Para]] | None:
    """The run as teaser items (a lead, or a headline and its lead), or None when it is not one."""
    items: list[list[Para]] = []
    pending: Para | None = None
    for p in run:
        if p.kind is Kind.HEADING and pending is None:
            pending = p
        elif is_lead(p):
            items.append([pending, p] if pending is not None else [p])
            pending = None
        else:
            return None
    return items if pending is None else None
