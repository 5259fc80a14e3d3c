"""Paragraph-level signals for the splitter (pure): cleaning, what a paragraph looks like, cohesion."""

from __future__ import annotations

import functools
import itertools
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
#: Full stops of the world's scripts: Latin, CJK, Arabic, Urdu, Devanagari (। ॥), Ethiopic (።),
#: Armenian (։), Myanmar (။), Khmer (។), Tibetan (།).
FULL_STOPS = ".!?…。！？؟।॥۔።։။។།"
SENTENCE_END = re.compile(rf"[{FULL_STOPS}](?:[\"”’»)\]]*)(?=\s|$)", re.UNICODE)
WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
DIGIT = re.compile(r"\d")


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
    glued = GLUED_COUNTER.search(text) if text[-1:].isdigit() else None
    if glued and len(text) > 40:
        return text[: glued.start()].rstrip(), f"dropped glued counter {glued.group().strip()!r}"
    return text, ""


#: A sentence ending inside the line: "...passeggeri. (ANSA)" is text, not a headline ("U.S. aid" is).
INNER_SENTENCE_END = re.compile(r"[^\W\d_]{2}[.!?…؟۔።։။។।]\s+\S", re.UNICODE)


#: Han, kana and Hangul: scripts written without spaces between words.
UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
#: A sentence end inside a line of an unspaced script: "...あった。気象庁は..."
INNER_UNSPACED_END = re.compile(r"[。！？](?=\S)")


#: Letters of Thai, Lao, Myanmar and Khmer: scripts that put spaces between phrases, not words
#: (vowel signs and tone marks excluded, so a word is about four of these).
UNSPACED_ALPHABET = re.compile(
    r"[\u0e01-\u0e30\u0e40-\u0e46\u0e81-\u0eb0\u0ec0-\u0ec6\u1000-\u102a\u1780-\u17b3]"
)


def word_count(text: str) -> int:
    """Words separated by spaces, plus one per two characters of Han, kana or Hangul and one per four
    letters of Thai, Lao, Myanmar or Khmer."""
    count = len(text.split()) + len(UNSPACED.findall(text)) // 2
    if text and max(text) >= "\u0e00" and UNSPACED_ALPHABET.search(text):
        count += len(UNSPACED_ALPHABET.findall(text)) // 4
    return count


#: A line ending in one of these is a sentence or a clause, not a heading.
HEADING_END = re.compile(r"[.:;,،؛。、：；，！？۔।॥።։။។།፣፤፦]$")


def is_heading(text: str) -> bool:
    return (
        0 < word_count(text) <= 18
        and len(text) <= 160
        and not HEADING_END.search(text)
        and not INNER_SENTENCE_END.search(text)
        and not INNER_UNSPACED_END.search(text)
    )


def sentences(text: str) -> int:
    return max(1, len(SENTENCE_END.findall(text)))


def classify(text: str) -> Kind:
    # Turkish dotted capital I lower-cases to "i" + a combining dot; word lists expect a plain "i"
    text = text.replace("İ", "i")
    short = len(text) <= lexicon.PROMPT_MAX_CHARS
    if ONLY_COUNTER.match(text) or (short and _only_dates(text)):
        return Kind.COUNTER
    if lexicon.RELATED_HEADING.match(text):
        return Kind.RELATED_HEADING
    if lexicon.COMMENTS_HEADING.match(text):
        return Kind.COMMENTS_HEADING
    if short and lexicon.READ_ALSO_LINE.match(text):
        return Kind.READ_ALSO
    if len(text) < 600 and (
        lexicon.LEGAL.search(text) or (lexicon.RIGHTS.search(text) and lexicon.RESERVED.search(text))
    ):
        return Kind.LEGAL
    if len(text) < 500 and lexicon.COOKIES.search(text):
        return Kind.PROMPT
    if short and (lexicon.PROMPT.search(text) and len(WORD.findall(text)) <= 14):
        return Kind.PROMPT
    if short and _contact(text) and len(WORD.findall(text)) <= 14:
        return Kind.PROMPT
    if short and COUNT_HEADING.match(text):
        return Kind.COMMENTS_HEADING  # "Comments (3)", "Σχόλια (3)", "网友评论（3）"
    if short and (_dateline(text) or _stamp(text) or _tags(text)):
        return Kind.METADATA
    if short and is_heading(text) and YEAR.search(text) and FIELD_SEPARATOR.search(text):
        return Kind.METADATA  # "Autor: Jan Nowak, 03.02.2026", "Daga Zainab Moussa | 9 ga Fabrairu, 2026"
    if short and (
        lexicon.METADATA.match(text) or lexicon.BREADCRUMB.match(text) or lexicon.BYLINE.match(text)
    ):
        return Kind.METADATA
    if is_heading(text):
        return Kind.HEADING
    return Kind.TEXT


#: A short heading that ends with a count in parentheses, or one word and a count ("댓글 3").
COUNT_HEADING = re.compile(
    r"^\W*(?:[^\W\d_][^()（）\d]{0,40}[(（]\s*\d{1,5}\s*[)）]|[^\W\d_]{2,20}\s+\d{1,5})\W*$"
)
#: A year (in any digits: Arabic-Indic "٢٠٢٦" too) or a numeric date.
YEAR = re.compile(r"(?<!\d)(?:19|20|١٩|٢٠|۱۹|۲۰)\d\d(?!\d)|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
#: Fields of a byline: "name | date", "Label: name, date".
FIELD_SEPARATOR = re.compile(r"\s[|·•]\s|^[^\W\d_][^:：]{0,25}[:：]\s")


#: A clock time in any digits: "14:32", "৪:৩৫", "08.30".
CLOCK = re.compile(r"(?<![\d.,:])\d{1,2}[:.]\d\d(?![\d.,:]*\d)")
#: A four-digit year in any digits, Buddhist-era ones too ("2569" in Thailand).
ANY_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _stamp(text: str) -> bool:
    """A date with a clock time and at most a few words: "2025/12/15 14:32 송고",
    "Úterý 3. února 2026, 8:15", "হালনাগাদ: ২৮ অক্টোবর ২০২৫, বিকেল ৪:৩৫"."""
    if len(text) > 70 or not CLOCK.search(text):
        return False
    years = [y for y in ANY_YEAR.findall(text) if 1900 <= int(y) <= 2700]
    return bool(years) and len(WORD.findall(text)) <= 5


#: "Label: item, item, item" - a label and a list of short items.
LABELLED_LIST = re.compile(r"^[^\W\d_][^:：,]{0,25}[:：]\s*(?P<items>.+)$")


def _tags(text: str) -> bool:
    """A list of tags under a label: "Štítky: Janáčkův máj, Brno, klasická hudba, festivaly"."""
    found = LABELLED_LIST.match(text)
    if found is None or HEADING_END.search(text) or text.endswith(("!", "?")):
        return False
    items = re.split(r"\s*[,،、;|]\s*", found["items"])
    return len(items) >= 3 and all(0 < word_count(item) <= 3 for item in items)


def _contact(text: str) -> bool:
    """A phone number or an e-mail address (the address pattern only runs where one can be)."""
    return bool(lexicon.PHONE.search(text) or ("@" in text and lexicon.EMAIL.search(text)))


def _only_dates(text: str) -> bool:
    """Nothing but times and dates: "Hace 25 minutos", "Mittwoch, 8. April 2026", "14:35"."""
    if len(text) > 60 or not (DIGIT.search(text) or len(text.split()) <= 2):
        return False  # cheap: most short lines are headlines
    rest = lexicon.TIMESTAMP.sub(" ", text)
    rest = DATE_WORDS.sub(" ", rest)
    rest = UNSPACED_DATE.sub(" ", rest)
    return len(rest) < len(text) and not WORD.search(rest)


#: Dates and times in Chinese and Japanese: "2025年1月14日 01時28分", "（1月14日 01時40分更新）".
UNSPACED_DATE = re.compile(r"[\d０-９]+\s*[年月日時时分秒号號]|更新|発表|发布|[（()）]")


def _dateline(text: str) -> bool:
    """A place and a date: "Casablanca - Thursday 5 March 2026", "Ankara | 15.01.2026"."""
    if not DIGIT.search(text):
        return False
    parts = re.split(r"\s[-–—|·•]\s", text)
    return 1 < len(parts) <= 4 and len(text.split()) <= 10 and any(_only_dates(part) for part in parts)


#: Weekday and month names (en, tr, fr, es, de, it, ru, ar, fa) for date-only lines.
DATE_WORDS = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|may|june|july|august|september"
    r"|october|november|december|pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar|ocak|şubat|mart|nisan"
    r"|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|lunes"
    r"|martes|miércoles|jueves|viernes|sábado|domingo|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    r"|septiembre|octubre|noviembre|diciembre|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    r"|januar|februar|märz|juni|juli|oktober|dezember|lunedì|martedì|mercoledì|giovedì|venerdì|sabato"
    r"|domenica|gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|понедельник"
    r"|вторник|среда|четверг|пятница|суббота|воскресенье|января|февраля|марта|апреля|мая|июня|июля"
    r"|августа|сентября|октября|ноября|декабря|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر"
    r"|أكتوبر|نوفمبر|ديسمبر|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت|الأحد|شنبه|یکشنبه|دوشنبه"
    r"|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه|güncelleme|updated?|published|mis à jour|actualizado|aktualisiert"
    r"|aggiornato|обновлено|yayınlanma|تحديث|dünən|ontem|gisteren|\d+\.?|uhr|h\b|[,.:|/-]",
    re.IGNORECASE | re.UNICODE,
)


def paragraphs(lines: list[str]) -> list[Para]:
    out: list[Para] = []
    for line in lines:
        text, note = clean(line)
        if text:
            out.append(Para(len(out), line, text, classify(text), note))
    return out


_TIME_AT_ENDS = (
    re.compile(
        r"\s*[·|•–—-]\s*(?:yesterday|today|dün|bugün|ayer|hoy|hier|aujourd'hui|gestern|heute|ieri|oggi|вчера"
        r"|сегодня|أمس|اليوم|دیروز|امروز|دوێنێ|ئەمڕۆ|duh|îro)\s*$",
        re.IGNORECASE | re.UNICODE,
    ),
    re.compile(rf"^\W*(?:{lexicon.TIMESTAMP.pattern})+\W*(?=\w)", re.IGNORECASE | re.UNICODE),
    re.compile(rf"(?<=[\w.!?…\"”»)])\W*(?:{lexicon.TIMESTAMP.pattern})\W*$", re.IGNORECASE | re.UNICODE),
)


def strip_timestamps(text: str) -> str:
    """Drop a relative or clock time at either end of a teaser: "3 hours ago · ...", "... 14:35"."""
    for pattern in _TIME_AT_ENDS:
        text = pattern.sub("", text).strip()
    return text if WORD.search(text) else ""


def stems(text: str) -> set[str]:
    """Crude cross-language content stems: words of 4+ letters, case-folded, first 5 letters (vowel
    signs and other combining marks dropped first: in Devanagari, Bengali or Thai they are part of the
    word); in Chinese and Japanese, written without spaces, every pair of Han characters and every
    katakana word."""
    found: set[str] = set()
    if HAN_OR_KANA.search(text):
        found.update(a + b for a, b in itertools.pairwise(text) if HAN.match(a) and HAN.match(b))
        found.update(KATAKANA_WORD.findall(text))
        text = HAN_OR_KANA_RUN.sub(" ", text)
    found.update(w.casefold()[:5] for w in WORD.findall(text.translate(_marks())) if len(w) >= 4)
    return found


@functools.cache
def _marks() -> dict[int, None]:
    """Combining marks, for ``str.translate`` to delete (the planes where scripts are written)."""
    return {c: None for c in range(0x300, 0x20000) if unicodedata.category(chr(c)).startswith("M")}


HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
HAN_OR_KANA_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
KATAKANA_WORD = re.compile(r"[\u30a0-\u30ff]{2,}")


def cohesion(paragraph: str, context: set[str]) -> float:
    """Share of the paragraph's content stems that also occur in the context."""
    own = stems(paragraph)
    return len(own & context) / len(own) if own else 0.0
