"""How much two texts share (pure): tokens in any script, token F1, word trigrams."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

#: Han, kana and Hangul characters are one token each; other tokens are runs of word characters.
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W\u3040-\u30ff\u3400-\u9fff]+")


def tokens(text: str) -> list[str]:
    """The text's tokens, lower-cased (in one call over the joined tokens: the same as one by one,
    since NUL is no token's character and is neither cased nor case-ignorable)."""
    found = TOKEN.findall(text)
    return "\0".join(found).lower().split("\0") if found else []


def at_least(text: str, count: int) -> bool:
    """The text has ``count`` tokens or more (it stops counting there)."""
    return sum(1 for _ in islice(TOKEN.finditer(text), count)) >= count


def f1(found: list[str], expected: list[str]) -> float:
    if not found and not expected:
        return 1.0
    common = sum((Counter(found) & Counter(expected)).values())
    if not common:
        return 0.0
    precision, recall = common / len(found), common / len(expected)
    return 2 * precision * recall / (precision + recall)


def trigrams(text: str) -> set[tuple[str, ...]]:
    words = tokens(text)
    return set(zip(words, words[1:], words[2:], strict=False))  # the windows, made in C


def piece_of(text: str, body_trigrams: set[tuple[str, ...]]) -> bool:
    """More than half of the text's word trigrams are in the body."""
    if not body_trigrams:
        return False  # cheap first: a page without teasers has nothing to compare its lines with
    grams = trigrams(text)
    return bool(grams) and len(grams & body_trigrams) / len(grams) > 0.5
