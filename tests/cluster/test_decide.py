"""The in-memory band index: members found by a shared band, in their language, within the horizon,
and gone once removed, whichever of a band's members goes first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pipeline.cluster.decide import MEMBERS_PER_BAND, BandIndex, Member
from pipeline.cluster.prints import story_print
from tests.cluster.stories import OTHER_QUAKE, QUAKE, copy_edited

AT = datetime(2026, 3, 1, 12, tzinfo=UTC)


def member(story_id: str, text: str, lang: str = "en", at: datetime = AT) -> Member:
    return Member(story_id, story_id, lang, "site.example", at, story_print(None, text))


def test_members_sharing_a_band_are_found_in_their_language_and_within_the_horizon() -> None:
    index = BandIndex()
    original, other = member("a", QUAKE), member("b", OTHER_QUAKE)
    index.add(original)
    index.add(other)
    index.add(member("c", QUAKE, lang="tr"))
    copy = story_print(None, copy_edited(QUAKE))
    assert [m.story_id for m in index.candidates("en", copy)] == ["a"]
    assert index.candidates("en", copy, since=AT + timedelta(seconds=1)) == []
    assert index.candidates("de", copy) == []


def test_a_band_shared_by_several_members_keeps_the_others_when_one_is_removed() -> None:
    index = BandIndex()
    first, second, third = member("a", QUAKE), member("b", QUAKE), member("c", QUAKE)
    for m in (first, second, third):
        index.add(m)
    probe = story_print(None, QUAKE)
    assert len(index) == len(probe.row_bands)
    assert {m.story_id for m in index.candidates("en", probe)} == {"a", "b", "c"}
    index.remove(first)  # the band's first member: another takes its place
    assert {m.story_id for m in index.candidates("en", probe)} == {"b", "c"}
    index.remove(third)
    index.remove(second)
    assert index.candidates("en", probe) == []
    index.remove(second)  # removing twice is harmless
    assert len(index) == 0


def test_a_band_holds_a_bounded_number_of_members_however_many_copies_share_it() -> None:
    index = BandIndex()
    for i in range(10 * MEMBERS_PER_BAND):
        index.add(member(f"c{i:03d}", QUAKE))
    found = index.candidates("en", story_print(None, copy_edited(QUAKE)))
    assert [m.story_id for m in found] == [f"c{i:03d}" for i in range(MEMBERS_PER_BAND)]  # the first added
    other = member("o", OTHER_QUAKE)
    index.add(other)
    assert "o" in {m.story_id for m in index.candidates("en", other.print)}
