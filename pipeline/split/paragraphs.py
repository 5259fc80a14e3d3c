"""Paragraph-level signals for the splitter (pure): cleaning, what a paragraph looks like, cohesion."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from pipeline.split import lexicon

#: A number glued to the end of a sentence: "...Gaza Strip.2627", "...in 2019.4821" (a view or
#: comment counter). Not a decimal: "grew by 3.5" keeps its 5 (a year-like 4-digit number does not).
GLUED_COUNTER = re.compile(r"(?:(?<=[^\W\d_][.!?…»\"”’)])|(?<=(?<![\d.,])\d{4}[.!?]))\s?\d{1,7}$", re.UNICODE)
#: A paragraph that is only a number, a time or a relative time.
ONLY_COUNTER = re.compile(r"^\W*\d[\d.,\s]*\W*$", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…。؟।](?:[\"”’»)\]]*)(?=\s|$)", re.UNICODE)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


class Kind(StrEnum):
    """What a paragraph looks like, before its place on the page is considered."""

    TEXT = "text"  # sentences
    HEADING = "heading"  # short, no closing punctuation
    RELATED_HEADING = "related-heading"
    COMMENTS_HEADING = "comments-heading"
    READ_ALSO = "read-also"
    LEGAL = "legal"
    PROMPT = "prompt"
    METADATA = "metadata"
    COUNTER = "counter"


BOILERPLATE_KINDS = frozenset({Kind.READ_ALSO, Kind.LEGAL, Kind.PROMPT, Kind.METADATA, Kind.COUNTER})


@dataclass(frozen=True)
class Para:
    index: int
    raw: str
    text: str  # cleaned: glued counter removed, whitespace folded
    kind: Kind
    note: str = ""  # what cleaning did, for --explain


def clean(text: str) -> tuple[str, str]:
    """Fold whitespace, drop a counter glued to the last sentence. Returns (text, note)."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    glued = GLUED_COUNTER.search(text)
    if glued and len(text) > 40:
        return text[: glued.start()].rstrip(), f"dropped glued counter {glued.group().strip()!r}"
    return text, ""


def is_heading(text: str) -> bool:
    words = len(text.split())
    return 0 < words <= 18 and len(text) <= 160 and not re.search(r"[.:;,،؛]$", text)


def sentences(text: str) -> int:
    return max(1, len(SENTENCE_END.findall(text)))


def classify(text: str) -> Kind:
    short = len(text) <= lexicon.PROMPT_MAX_CHARS
    if ONLY_COUNTER.match(text) or (short and lexicon.TIMESTAMP.fullmatch(text.strip(" ·|-–—()[]"))):
        return Kind.COUNTER
    if lexicon.RELATED_HEADING.match(text):
        return Kind.RELATED_HEADING
    if lexicon.COMMENTS_HEADING.match(text):
        return Kind.COMMENTS_HEADING
    if short and lexicon.READ_ALSO_LINE.match(text):
        return Kind.READ_ALSO
    if lexicon.LEGAL.search(text) and (short or len(text) < 600):
        return Kind.LEGAL
    if short and (lexicon.PROMPT.search(text) and len(WORD.findall(text)) <= 14):
        return Kind.PROMPT
    if short and (lexicon.METADATA.match(text) or lexicon.BREADCRUMB.match(text)):
        return Kind.METADATA
    if is_heading(text):
        return Kind.HEADING
    return Kind.TEXT


def paragraphs(lines: list[str]) -> list[Para]:
    out: list[Para] = []
    for line in lines:
        text, note = clean(line)
        if text:
            out.append(Para(len(out), line, text, classify(text), note))
    return out


def strip_timestamps(text: str) -> str:
    """Drop a relative or clock time at either end of a teaser: "3 hours ago · ...", "... 14:35"."""
    for pattern in (
        rf"^\W*(?:{lexicon.TIMESTAMP.pattern})\W*(?=\w)",
        rf"(?<=[\w.!?…\"”»)])\W*(?:{lexicon.TIMESTAMP.pattern})\W*$",
    ):
        text = re.sub(pattern, "", text, flags=re.IGNORECASE | re.UNICODE).strip()
    return text


def stems(text: str) -> set[str]:
    """Crude cross-language content stems: words of 4+ letters, case-folded, first 5 letters."""
    return {w.casefold()[:5] for w in WORD.findall(text) if len(w) >= 4}


def cohesion(paragraph: str, context: set[str]) -> float:
    """Share of the paragraph's content stems that also occur in the context."""
    own = stems(paragraph)
    return len(own & context) / len(own) if own else 0.0
