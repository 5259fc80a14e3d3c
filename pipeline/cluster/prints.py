"""A story's print for near-duplicate clustering (pure): MinHash signatures of its text and lead.

* Text is compared in a form that survives republishing edits: case, accents, punctuation, quote
  styles, digit scripts (Arabic-Indic and Persian digits are read as 0-9) and the letter variants of
  Arabic script are folded; each Han, kana or Hangul character is a word.
* Shingles are runs of :data:`SHINGLE` words; a text shorter than that is one shingle.
* Two signatures per story: the whole text (the *body*), and its *lead* (the first
  :data:`LEAD_WORDS` words), so a teaser that is an article's lead finds the article, whose whole
  text it shares too little of to be found by the body.
* Each signature is cut into :data:`BANDS` bands of :data:`ROWS` values (LSH): two texts with Jaccard
  similarity J share at least one band with probability 1 - (1 - J^ROWS)^BANDS (J = 0.5: 0.996,
  J = 0.3: 0.68, J = 0.1: 0.04). Stories sharing a band are *candidates*; :mod:`decide` compares
  their signatures.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import cached_property

from pipeline.cluster.minhash import NUM_PERM, signature

SHINGLE = 3
LEAD_SHINGLE = 2
LEAD_WORDS = 40
ROWS = 3
BANDS = NUM_PERM // ROWS  # 42 bands of 3 of the 128 values

_WORD = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_\u3040-\u30ff\u3400-\u9fff]+"
)

#: One table for all the folding after NFKD: letters the same word is written with in different
#: places (Arabic and Persian keyboards), digits of every script as 0-9, combining marks (accents,
#: harakat) dropped. Built once from the Basic Multilingual Plane.
_FOLD: dict[int, str | None] = {
    **{ord(a): b for a, b in {"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ـ": ""}.items()},
    **{
        code: str(unicodedata.digit(chr(code)))
        for code in range(0x80, 0x10000)
        if unicodedata.digit(chr(code), None) is not None and chr(code).isdecimal()
    },
    **{code: None for code in range(0x300, 0x10000) if unicodedata.combining(chr(code))},
}
_TABLE = str.maketrans(_FOLD)


def words(text: str) -> list[str]:
    """The text's words, folded (case, accents, digit scripts, Arabic letter variants)."""
    return _WORD.findall(unicodedata.normalize("NFKD", text.casefold()).translate(_TABLE))


def shingles(seq: list[str], size: int = SHINGLE) -> set[str]:
    if len(seq) < size:
        return {" ".join(seq)} if seq else set()
    return {" ".join(seq[i : i + size]) for i in range(len(seq) - size + 1)}


@dataclass(frozen=True)
class Print:
    """A story's signatures and the number of distinct shingles each stands for."""

    body: array[int]
    body_size: int
    lead: array[int]
    lead_size: int
    words: int  # words in the whole text

    @cached_property
    def band_keys(self) -> tuple[str, ...]:
        """The LSH band keys of both signatures (``b..`` body, ``l..`` lead), computed once. A text
        no longer than its lead has only the lead's: it is compared by its lead alone."""
        return tuple(key for kind, values in self._banded() for key in _bands(kind, values))

    def bands(self) -> list[str]:
        return list(self.band_keys)

    @cached_property
    def row_bands(self) -> tuple[bytes, ...]:
        """The same bands as their raw rows (:data:`ROWS` values, 12 bytes), for indexes in memory:
        ten times cheaper than hashing, which only the shared state needs (its keys are words).
        Rows of a body band equal to another band's are possible and harmless: a candidate is only
        compared, never joined on that alone."""
        return tuple(rows for _, values in self._banded() for rows in _rows(values))

    def _banded(self) -> list[tuple[str, array[int]]]:
        """The signatures cut into bands, by kind: a text no longer than its lead has only the lead's."""
        lead = [("l", self.lead)]
        return lead if self.words <= LEAD_WORDS else [("b", self.body), *lead]


def _bands(kind: str, values: array[int]) -> list[str]:
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS : (band + 1) * ROWS].tobytes()
        keys.append(kind + hashlib.blake2b(rows, digest_size=8, person=bytes([band])).hexdigest())
    return keys


_BAND_BYTES = ROWS * 4  # values are 32-bit


def _rows(values: array[int]) -> list[bytes]:
    data = values.tobytes()
    return [data[i : i + _BAND_BYTES] for i in range(0, BANDS * _BAND_BYTES, _BAND_BYTES)]


def story_print(title: str | None, text: str) -> Print:
    """The print of a story's text (the title is left out: it is what republishers rewrite)."""
    seq = words(text)
    if not seq and title:
        seq = words(title)
    body, lead = shingles(seq), shingles(seq[:LEAD_WORDS], LEAD_SHINGLE)
    return Print(signature(body), len(body), signature(lead), len(lead), len(seq))
