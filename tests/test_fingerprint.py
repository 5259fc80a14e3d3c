"""Story ids and text fingerprints: deterministic and insensitive to cosmetic differences."""

from __future__ import annotations

import pytest

from pipeline.fingerprint import article_id, fingerprint, normalise, teaser_id

SITE = "example"
PAGE = "https://news.example/2026/03/quake"


def test_normalise_folds_case_punctuation_and_whitespace() -> None:
    assert normalise("  Hello,   WORLD!!\n\tIt's  a_test. ") == "hello world it s a test"


def test_normalise_folds_nfkc_width_variants() -> None:
    assert normalise("ＡＢＣ　１２３") == normalise("abc 123") == "abc 123"


@pytest.mark.parametrize(
    "variant",
    [
        "Earthquake hits the city",
        "EARTHQUAKE HITS THE CITY",
        "earthquake hits the city.",
        "Earthquake — hits, the city!",
        "  Earthquake\n\nhits\tthe   city  ",
        "Ｅａｒｔｈｑｕａｋｅ　ｈｉｔｓ　ｔｈｅ　ｃｉｔｙ",
    ],
)
def test_fingerprint_is_insensitive_to_cosmetic_differences(variant: str) -> None:
    assert fingerprint(variant) == fingerprint("earthquake hits the city")


def test_fingerprint_differs_for_different_words() -> None:
    assert fingerprint("earthquake hits the city") != fingerprint("earthquake hits the coast")


def test_fingerprint_keeps_non_latin_letters() -> None:
    assert fingerprint("Deprem İstanbul'u sarstı") != fingerprint("Deprem Ankara'yı sarstı")
    assert fingerprint("Землетрясение") != fingerprint("Наводнение")


def test_fingerprint_is_stable_across_calls() -> None:
    assert fingerprint("same text") == fingerprint("same text")
    assert len(fingerprint("same text")) == 32


def test_article_id_depends_on_site_and_page_url_only() -> None:
    # an updated article on the same page overwrites the same document (see tests/split)
    assert article_id(SITE, PAGE) == article_id(SITE, PAGE)
    assert article_id(SITE, PAGE) != article_id("other-site", PAGE)
    assert article_id(SITE, PAGE) != article_id(SITE, PAGE + "-update")


def test_teaser_with_a_url_is_identified_by_the_url() -> None:
    url = "https://news.example/2026/03/other-story"
    assert teaser_id(SITE, "Short teaser text", url) == teaser_id(SITE, "Reworded teaser, longer", url)
    assert teaser_id(SITE, "Short teaser text", url) != teaser_id(SITE, "Short teaser text", url + "-2")


def test_teaser_without_a_url_is_identified_by_its_text() -> None:
    # the same footer teaser on two pages of one site is one document ...
    on_page_one = teaser_id(SITE, "Subscribe to our newsletter!", None)
    on_page_two = teaser_id(SITE, "subscribe to our  NEWSLETTER", None)
    assert on_page_one == on_page_two
    assert on_page_one != teaser_id(SITE, "Follow us on social media", None)


def test_teaser_ids_differ_between_sites() -> None:
    # ... but the same text on two sites is two documents
    assert teaser_id("site-a", "Breaking news", None) != teaser_id("site-b", "Breaking news", None)
    url = "https://wire.example/story"
    assert teaser_id("site-a", "Breaking news", url) != teaser_id("site-b", "Breaking news", url)


def test_teaser_and_article_ids_never_collide() -> None:
    assert teaser_id(SITE, "text", PAGE) != article_id(SITE, PAGE)
