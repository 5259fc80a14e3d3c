"""A cheap language guess from script and function words (pure, microseconds per text).

Not the story's language (that is :func:`pipeline.language.detect`): the splitter uses it to notice
that a paragraph is in another language than the article around it. It answers ``und`` unless the
evidence is clear.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

#: Frequent function words; a language needs several hits to win.
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "of",
            "and",
            "to",
            "in",
            "is",
            "that",
            "for",
            "was",
            "with",
            "on",
            "as",
            "by",
            "at",
            "from",
            "his",
            "her",
            "they",
            "have",
            "has",
            "said",
            "will",
        ]
    ),
    "tr": frozenset(
        [
            "ve",
            "bir",
            "bu",
            "da",
            "de",
            "için",
            "ile",
            "olarak",
            "olan",
            "ama",
            "gibi",
            "çok",
            "daha",
            "en",
            "sonra",
            "ise",
            "ancak",
            "dedi",
            "oldu",
        ]
    ),
    "az": frozenset(
        [
            "və",
            "bir",
            "bu",
            "da",
            "ki",
            "ilə",
            "üçün",
            "olan",
            "olub",
            "isə",
            "artıq",
            "daha",
            "sonra",
            "bildirib",
            "qeyd",
            "edib",
            "il",
        ]
    ),
    "kmr": frozenset(
        [
            "û",
            "ku",
            "di",
            "de",
            "ji",
            "bi",
            "li",
            "ya",
            "yê",
            "ên",
            "ye",
            "jî",
            "wek",
            "ev",
            "ew",
            "hat",
            "kir",
            "dike",
            "bû",
            "got",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "et",
            "est",
            "une",
            "dans",
            "pour",
            "que",
            "qui",
            "sur",
            "pas",
            "par",
            "au",
            "avec",
            "a",
            "été",
            "ont",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "del",
            "y",
            "en",
            "que",
            "un",
            "una",
            "por",
            "con",
            "para",
            "es",
            "se",
            "al",
            "lo",
            "como",
            "más",
            "fue",
            "han",
        ]
    ),
    "de": frozenset(
        [
            "der",
            "die",
            "das",
            "und",
            "ist",
            "nicht",
            "ein",
            "eine",
            "den",
            "dem",
            "des",
            "mit",
            "für",
            "auf",
            "sich",
            "von",
            "zu",
            "im",
            "wurde",
        ]
    ),
    "it": frozenset(
        [
            "il",
            "la",
            "le",
            "gli",
            "di",
            "del",
            "della",
            "che",
            "e",
            "è",
            "un",
            "una",
            "per",
            "con",
            "non",
            "sono",
            "nel",
            "alla",
            "ha",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "que",
            "e",
            "em",
            "um",
            "uma",
            "para",
            "com",
            "não",
            "por",
            "foi",
            "mais",
            "ao",
            "dos",
        ]
    ),
    "nl": frozenset(
        [
            "de",
            "het",
            "een",
            "en",
            "van",
            "in",
            "is",
            "dat",
            "op",
            "te",
            "zijn",
            "met",
            "voor",
            "niet",
            "aan",
            "er",
            "werd",
        ]
    ),
    "ru": frozenset(
        [
            "и",
            "в",
            "не",
            "на",
            "что",
            "с",
            "по",
            "как",
            "это",
            "он",
            "она",
            "они",
            "для",
            "из",
            "к",
            "о",
            "но",
            "было",
            "был",
            "от",
        ]
    ),
    "uk": frozenset(
        [
            "і",
            "в",
            "не",
            "на",
            "що",
            "з",
            "та",
            "як",
            "це",
            "він",
            "вона",
            "вони",
            "для",
            "із",
            "до",
            "але",
            "було",
            "був",
            "від",
        ]
    ),
    "ar": frozenset(
        [
            "في",
            "من",
            "على",
            "أن",
            "إلى",
            "عن",
            "التي",
            "الذي",
            "مع",
            "هذا",
            "هذه",
            "كان",
            "قد",
            "لا",
            "ما",
            "بين",
            "وقال",
        ]
    ),
    "fa": frozenset(
        [
            "و",
            "در",
            "به",
            "از",
            "که",
            "این",
            "را",
            "با",
            "است",
            "برای",
            "آن",
            "می",
            "یک",
            "شد",
            "کرد",
            "هم",
            "تا",
            "بود",
        ]
    ),
    "ckb": frozenset(
        [
            "و",
            "لە",
            "بە",
            "کە",
            "بۆ",
            "ئەم",
            "ئەو",
            "لەگەڵ",
            "دەکات",
            "کرد",
            "بوو",
            "یە",
            "هەروەها",
            "ناو",
            "دوای",
        ]
    ),
    "ur": frozenset(
        ["اور", "کے", "کی", "میں", "سے", "کو", "نے", "ہے", "کہ", "پر", "ایک", "یہ", "تھا", "گیا", "ہیں"]
    ),
}
_SHARED = Counter(w for words in FUNCTION_WORDS.values() for w in words)
_WEIGHT = {(lang, w): 1 / _SHARED[w] for lang, words in FUNCTION_WORDS.items() for w in words}
_SCRIPT_LANGS = {
    "LATIN": ("en", "tr", "az", "kmr", "fr", "es", "de", "it", "pt", "nl"),
    "CYRILLIC": ("ru", "uk"),
    "ARABIC": ("ar", "fa", "ckb", "ur"),
}


def script(text: str) -> str:
    counts: Counter[str] = Counter()
    for ch in text[:600]:
        if ch.isalpha():
            counts[unicodedata.name(ch, "UNKNOWN").split(" ")[0]] += 1
    return counts.most_common(1)[0][0] if counts else "NONE"


def guess(text: str) -> str:
    """A language code, or ``und`` when script and function words do not clearly agree."""
    main = script(text)
    candidates = _SCRIPT_LANGS.get(main)
    if candidates is None:
        return main.lower() if main not in ("NONE", "UNKNOWN") else "und"
    if main == "ARABIC":
        by_letters = arabic_script_language(text[:2000])
        if by_letters:
            return by_letters
    words = [w.casefold() for w in _WORD.findall(text[:2000])]
    # a word several languages share ("de", "en", "a") counts for each only in part
    scores = {lang: sum(_WEIGHT.get((lang, w), 0.0) for w in words) for lang in candidates}
    sample = text[:2000].casefold()
    for lang, letters in _LATIN_LETTERS.items():
        if lang in scores:
            scores[lang] += min(3.0, 0.5 * sum(sample.count(ch) for ch in letters))
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= 2.5 and top >= 2 * second:
        return best
    return "und"


#: Letters that point to one Latin-script language.
_LATIN_LETTERS = {"az": "əə", "tr": "ğı", "kmr": "êîû", "de": "ßä", "es": "ñ¿¡", "fr": "œèùëâ", "pt": "ãõ"}

#: Letters one Arabic-script language uses and the others do not (or barely).
_LETTERS = {"ckb": "ەێۆڵڕ", "ur": "ےںٹڈھڑ", "fa": "پچژگی", "ar": "ةيىأإؤ"}


def arabic_script_language(text: str) -> str | None:
    counts = {lang: sum(text.count(ch) for ch in letters) for lang, letters in _LETTERS.items()}
    if counts["ckb"] >= 2:
        return "ckb"
    if counts["ur"] >= 2:
        return "ur"
    if counts["fa"] >= 2 and counts["fa"] > counts["ar"]:
        return "fa"
    if counts["ar"] >= 2 and counts["fa"] == 0:
        return "ar"
    return None
