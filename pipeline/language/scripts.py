"""Which writing systems a text uses (pure).

A language engine guesses among all the languages it knows; the script a text is written in rules most
of them out for free. ``profile`` counts the letters of each script in one pass (``str.translate``
over a table built once), so it costs a few microseconds per text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LATIN = "Latn"
CYRILLIC = "Cyrl"
ARABIC = "Arab"
HAN = "Hani"
HIRAGANA = "Hira"
KATAKANA = "Kana"
HANGUL = "Hang"

#: Unicode blocks of the scripts news is written in, as (first, last, ISO 15924 code).
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x02AF, LATIN),  # through IPA extensions: Azerbaijani "ə" is U+0259
    (0x1E00, 0x1EFF, LATIN),
    (0x0370, 0x03FF, "Grek"),
    (0x1F00, 0x1FFF, "Grek"),
    (0x0400, 0x052F, CYRILLIC),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x08A0, 0x08FF, ARABIC),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE70, 0xFEFF, ARABIC),
    (0x0700, 0x074F, "Syrc"),
    (0x0780, 0x07BF, "Thaa"),
    (0x0900, 0x097F, "Deva"),
    (0x0980, 0x09FF, "Beng"),
    (0x0A00, 0x0A7F, "Guru"),
    (0x0A80, 0x0AFF, "Gujr"),
    (0x0B00, 0x0B7F, "Orya"),
    (0x0B80, 0x0BFF, "Taml"),
    (0x0C00, 0x0C7F, "Telu"),
    (0x0C80, 0x0CFF, "Knda"),
    (0x0D00, 0x0D7F, "Mlym"),
    (0x0D80, 0x0DFF, "Sinh"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x0E80, 0x0EFF, "Laoo"),
    (0x0F00, 0x0FFF, "Tibt"),
    (0x1000, 0x109F, "Mymr"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1100, 0x11FF, HANGUL),
    (0x3130, 0x318F, HANGUL),
    (0xAC00, 0xD7AF, HANGUL),
    (0x1200, 0x139F, "Ethi"),
    (0x1780, 0x17FF, "Khmr"),
    (0x1800, 0x18AF, "Mong"),
    (0x3040, 0x309F, HIRAGANA),
    (0x30A0, 0x30FF, KATAKANA),
    (0x31F0, 0x31FF, KATAKANA),
    (0xFF66, 0xFF9F, KATAKANA),
    (0x3400, 0x4DBF, HAN),
    (0x4E00, 0x9FFF, HAN),
    (0xF900, 0xFAFF, HAN),
)

#: One private-use character stands for each script in the translated text.
_TAGS = {code: chr(0xE000 + i) for i, code in enumerate(dict.fromkeys(code for _, _, code in _BLOCKS))}
_CODES = {tag: code for code, tag in _TAGS.items()}
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F\u1E00-\u1EFF][\w'’\-.]*")


@lru_cache(maxsize=1)
def _table() -> dict[int, str | None]:
    """Every letter of a known block -> its script's tag; everything else deleted by translate()."""
    table: dict[int, str | None] = {}
    for first, last, code in _BLOCKS:
        tag = _TAGS[code]
        for point in range(first, last + 1):
            if unicodedata.category(chr(point)).startswith("L"):
                table[point] = tag
    # other characters below the Han blocks (spaces, digits, punctuation) are dropped so that the
    # count afterwards sees fewer characters; anything else left over is ignored by profile()
    for point in range(0x0000, 0x3400):
        table.setdefault(point, None)
    return table


def main_script(text: str) -> tuple[str | None, int]:
    """The script ``text`` is written in, and how many letters it has.

    Latin names and acronyms are common inside texts in other scripts, the reverse is rare, so a
    non-Latin script that holds a quarter of the letters wins. Kana make Han text Japanese.
    """
    tagged = text.translate(_table())
    tags = set(tagged)
    if len(tags) == 1 and tagged[0] in _CODES:  # one script, as most texts are
        code = _CODES[tagged[0]]
        return ("Jpan" if code in (HIRAGANA, KATAKANA) else code), len(tagged)
    counts = {_CODES[tag]: tagged.count(tag) for tag in tags if tag in _CODES}
    letters = sum(counts.values())
    if not letters:
        return None, 0
    kana = counts.get(HIRAGANA, 0) + counts.get(KATAKANA, 0)
    if kana and kana * 20 >= kana + counts.get(HAN, 0):  # Chinese has no kana; one is enough
        return "Jpan", letters
    others = [(n, code) for code, n in counts.items() if code != LATIN]
    if others:
        n, code = max(others)
        if n * 4 >= letters or not counts.get(LATIN):
            return ("Jpan" if code in (HIRAGANA, KATAKANA) else code), letters
    return LATIN, letters


@lru_cache(maxsize=64)
def letters_of(script: str) -> frozenset[str]:
    """Every letter of one script (for set intersections)."""
    tag = _TAGS.get(script)
    return frozenset(chr(point) for point, t in _table().items() if t == tag and tag is not None)


def without_latin_words(text: str) -> str:
    """The text minus Latin-script words (names, brands, acronyms inside a text in another script)."""
    return _LATIN_WORD.sub(" ", text)
