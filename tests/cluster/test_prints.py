from pipeline.cluster.decide import containment, jaccard, similarity
from pipeline.cluster.prints import BANDS, story_print, words
from tests.cluster.stories import OTHER_QUAKE, QUAKE, copy_edited, lead


def test_words_fold_case_accents_digits_and_arabic_letter_variants() -> None:
    assert words("«Zelenskyy» ELAZIĞ, 5,4") == ["zelenskyy", "elazig", "5", "4"]
    assert words("٢٠٢٦ ۲۰۲۶") == ["2026", "2026"]
    assert words("كيف") == words("کیف")  # Arabic and Persian kaf and yeh
    assert words("東京都") == ["東", "京", "都"]  # a Han character is a word


def test_a_print_is_the_same_in_every_call_and_has_bands_of_both_signatures() -> None:
    a, b = story_print("t", QUAKE), story_print("another title", QUAKE)
    assert a == b  # the title is not part of it
    assert len(a.bands()) == 2 * BANDS and len(set(a.bands())) == 2 * BANDS


def test_a_copy_is_alike_and_a_different_event_is_not() -> None:
    original = story_print(None, QUAKE)
    assert similarity(original, story_print(None, copy_edited(QUAKE))) > 0.5
    assert similarity(original, story_print(None, OTHER_QUAKE)) == 0.0  # one shared paragraph


def test_a_teaser_that_is_the_lead_is_alike_though_it_is_a_small_part_of_the_text() -> None:
    original, teaser = story_print(None, QUAKE), story_print(None, lead(QUAKE))
    assert jaccard(original.body, teaser.body) < 0.3
    assert similarity(original, teaser) > 0


def test_containment_from_jaccard_and_sizes() -> None:
    assert containment(0.5, 100, 50) == 1.0  # 50 common: the smaller set is all inside
    assert containment(0.0, 10, 10) == 0.0 and containment(1.0, 0, 10) == 0.0


def test_raw_row_bands_match_exactly_where_the_hashed_band_keys_do() -> None:
    """The in-memory index keys on raw rows, the shared state on hashed keys: the same bands."""
    original, copy = story_print(None, QUAKE), story_print(None, copy_edited(QUAKE))
    teaser = story_print(None, lead(QUAKE))
    for p in (original, copy, teaser):
        assert len(p.row_bands) == len(p.band_keys)
    assert len(teaser.row_bands) == BANDS  # a text no longer than its lead has only the lead's bands
    for a, b in ((original, copy), (original, teaser), (original, story_print(None, OTHER_QUAKE))):
        hashed = {(i, k[0]) for i, k in enumerate(a.band_keys) if k in set(b.band_keys)}
        raw = {(i, a.band_keys[i][0]) for i, r in enumerate(a.row_bands) if r in set(b.row_bands)}
        assert hashed <= raw  # raw rows find every hashed match (and, rarely, a harmless extra)
