import asyncio
from collections.abc import Sequence

from pipeline.cluster.clusterer import PER_CLUSTER, Assignment, Clusterer, assign_batch, few_per_cluster
from pipeline.cluster.decide import Member
from pipeline.cluster.prints import Print, story_print
from pipeline.cluster.state import MemoryState
from pipeline.messages import Story
from tests.cluster.stories import OTHER_QUAKE, QUAKE, copy_edited, lead, story


def items(*stories: Story) -> list[tuple[Story, Print]]:
    return [(s, story_print(s.title, s.text)) for s in stories]


def test_copies_in_one_batch_join_the_first_and_a_different_event_does_not() -> None:
    batch = items(
        story("a1", QUAKE, "aa.example"),
        story("b1", copy_edited(QUAKE), "b.example", 30),
        story("t1", lead(QUAKE), "c.example", 45, kind="teaser"),
        story("o1", OTHER_QUAKE, "aa.example", 60),
    )
    got = {a.story.id: a.member.cluster_id for a in assign_batch(batch, {}, {}, days=3)}
    assert got == {"a1": "a1", "b1": "a1", "t1": "a1", "o1": "o1"}


def test_a_story_the_state_knows_keeps_its_cluster_and_is_not_new() -> None:
    batch = items(story("b1", copy_edited(QUAKE), "b.example"))
    [a] = assign_batch(batch, {"b1": "elsewhere"}, {}, days=3)
    assert a.member.cluster_id == "elsewhere" and not a.new


def test_clusters_are_per_language_and_close_after_the_horizon() -> None:
    batch = items(
        story("a1", QUAKE, "aa.example"),
        story("x1", QUAKE, "x.example", 5, lang="tr"),  # labelled another language: apart
        story("late", copy_edited(QUAKE), "b.example", 60 * 24 * 4),  # four days later
    )
    got = {a.story.id: a.member.cluster_id for a in assign_batch(batch, {}, {}, days=3)}
    assert got == {"a1": "a1", "x1": "x1", "late": "late"}


def test_the_clusterer_remembers_across_batches_and_a_replay_changes_nothing() -> None:
    state = MemoryState()
    clusterer = Clusterer(state, days=3)
    first = [story("a1", QUAKE, "aa.example"), story("o1", OTHER_QUAKE, "aa.example", 1)]
    second = [
        story("b1", copy_edited(QUAKE), "b.example", 30),
        story("t1", lead(QUAKE), "c.example", 40, "teaser"),
    ]
    got = asyncio.run(clusterer.assign(first)) | asyncio.run(clusterer.assign(second))
    assert got == {"a1": "a1", "o1": "o1", "b1": "a1", "t1": "a1"}
    saved = dict(state.clusters)
    assert asyncio.run(clusterer.assign(second + first)) == got  # a replay, in another order
    assert state.clusters == saved and len(state.clusters["a1"]) == 3


def test_the_same_story_twice_in_a_batch_is_one_member() -> None:
    state = MemoryState()
    saved: list[Sequence[Assignment]] = []

    class Recording(MemoryState):
        async def save(self, assignments: Sequence[Assignment]) -> None:
            saved.append(assignments)
            await state.save(assignments)

    twice = [story("a1", QUAKE, "aa.example"), story("a1", QUAKE, "aa.example")]
    assert asyncio.run(Clusterer(Recording(), days=3).assign(twice)) == {"a1": "a1"}
    assert [a.story.id for a in saved[0]] == ["a1"]


def test_a_story_with_hundreds_of_copies_is_compared_with_a_few_of_them_and_joins_their_cluster() -> None:
    copies = items(*(story(f"w{i:03d}", QUAKE, f"s{i}.example", i) for i in range(300)))
    members = [Member(s.id, "w000", s.lang, s.site, s.first_seen_at, p) for s, p in copies]
    other = items(story("o1", OTHER_QUAKE, "x.example"))[0]
    members.append(Member("o1", "o1", "en", "x.example", other[0].first_seen_at, other[1]))
    few = few_per_cluster(members)
    assert [m.story_id for m in few if m.cluster_id == "w000"] == [
        f"w{i:03d}" for i in range(299, 299 - PER_CLUSTER, -1)
    ]
    assert "o1" in {m.story_id for m in few}  # other clusters keep theirs
    batch = items(story("new", copy_edited(QUAKE), "late.example", 400))
    [a] = assign_batch(batch, {}, {"new": members}, days=3)
    assert a.member.cluster_id == "w000"
