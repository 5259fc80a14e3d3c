"""Script profiles: which writing system a text is in, with names in Latin letters discounted."""

from __future__ import annotations

import pytest

from pipeline.language.scripts import letters_of, main_script, without_latin_words


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("The council met on Tuesday", "Latn"),
        ("Azərbaycan", "Latn"),  # ə sits in the IPA block
        ("Совет собрался во вторник", "Cyrl"),
        ("شركة Apple تطلق هاتف iPhone 17 Pro في السعودية", "Arab"),  # Latin brand names, Arabic text
        ("北京市政府周二宣布", "Hani"),
        ("大相撲夏場所 新大関・琴嵐が初優勝", "Jpan"),  # one kana makes Han text Japanese
        ("서울에서 BTS 콘서트", "Hang"),
        ("Η κυβέρνηση ανακοίνωσε", "Grek"),
        ("NATO Genel Sekreteri Mark Rutte", "Latn"),
    ],
)
def test_main_script(text: str, script: str) -> None:
    assert main_script(text)[0] == script


def test_digits_punctuation_and_emoji_are_not_letters() -> None:
    assert main_script("2026 — 12:45 !!! 😀") == (None, 0)
    assert main_script("Ab 12 cd") == ("Latn", 4)


def test_latin_words_are_removed_from_text_in_another_script() -> None:
    assert without_latin_words("شركة Apple تطلق هاتف iPhone").split() == ["شركة", "تطلق", "هاتف"]


def test_letters_of_a_script() -> None:
    assert {"ə", "ş", "a"} <= letters_of("Latn")
    assert "я" not in letters_of("Latn")
