"""Clustering a batch of stories: prints, the state's candidates, and the cluster each one joins.

:func:`assign_batch` is the decision over a batch (pure); :class:`Clusterer` runs it against a
:class:`State` (Elasticsearch in the worker, :class:`pipeline.cluster.state.MemoryState` in the
evaluation and the tests). A story the state already knows keeps its cluster, so a replay changes
nothing; a story no earlier story is a copy of starts a cluster named after itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pipeline.cluster.decide import BandIndex, Member, at_most_per_cluster, closest, horizon
from pipeline.cluster.prints import Print, story_print
from pipeline.messages import Story

T = TypeVar("T")


@dataclass(frozen=True)
class Assignment:
    story: Story
    member: Member
    new: bool  # False: the state knew the story already (a replay)


class State(Protocol):
    async def known(self, ids: Sequence[str]) -> dict[str, str]:
        """Cluster of each of these stories the state holds."""

    async def candidates(self, items: Sequence[tuple[Story, Print]], days: float) -> list[list[Member]]:
        """For each story, the members sharing an LSH band with it, in its language, seen at most
        ``days`` before it."""

    async def save(self, assignments: Sequence[Assignment]) -> None:
        """Remember new members and bring their clusters' size, sites and times up to date."""


#: Members of one cluster a story is compared with at most: the latest that share a band with it.
#: A story republished hundreds of times (a wire story) would otherwise cost each new copy hundreds
#: of comparisons, and a batch of copies their square (the worker fell to a quarter of its speed).
PER_CLUSTER = 8


def few_per_cluster(members: Iterable[Member]) -> list[Member]:
    """At most :data:`PER_CLUSTER` members of each cluster, the latest first (ties: story id, so a
    replay compares with the same ones)."""
    latest = sorted(members, key=lambda m: (m.at, m.story_id), reverse=True)
    return at_most_per_cluster(latest, lambda m: m.cluster_id, PER_CLUSTER)


def assign_batch(
    items: Sequence[tuple[Story, Print]],
    known: Mapping[str, str],
    outside: Mapping[str, list[Member]],
    days: float,
) -> list[Assignment]:
    """The cluster of each story, in order: a story may join one seen earlier in the same batch.
    ``outside`` holds the state's candidates of the stories not in ``known``, by story id (already
    within the horizon: the state answers so)."""
    local = BandIndex()
    done: dict[str, Member] = {}
    result = []
    for story, print_ in items:
        if story.id in done:  # the same story twice in one batch
            result.append(Assignment(story, done[story.id], False))
            continue
        new = story.id not in known
        if new:
            since = horizon(story.first_seen_at, days)
            near = few_per_cluster([*outside.get(story.id, ()), *local.candidates(story.lang, print_, since)])
            best = closest(print_, near)
            cluster = best.cluster_id if best else story.id
        else:
            cluster = known[story.id]
        member = Member(story.id, cluster, story.lang, story.site, story.first_seen_at, print_)
        local.add(member)
        done[story.id] = member
        result.append(Assignment(story, member, new))
    return result


async def _inline(fn: Callable[[], T]) -> T:
    return fn()


class Clusterer:
    """Assigns each story of a batch its cluster, and records the new members in the state."""

    def __init__(
        self,
        state: State,
        days: float,
        offload: Callable[[Callable[[], list[Print]]], asyncio.Future[list[Print]]] | None = None,
    ) -> None:
        self.state = state
        self.days = days
        self.offload = offload  # runs the prints off the event loop (a thread); None: inline

    async def assign(self, stories: Sequence[Story]) -> dict[str, str]:
        """Story id -> cluster id, for every story of the batch."""
        if not stories:
            return {}

        def prints() -> list[Print]:
            return [story_print(story.title, story.text) for story in stories]

        computed = await (self.offload(prints) if self.offload else _inline(prints))
        items = list(zip(stories, computed, strict=True))
        unique = list({story.id: (story, p) for story, p in items}.values())
        known, outside = await asyncio.gather(
            self.state.known([story.id for story, _ in unique]), self.state.candidates(unique, self.days)
        )
        by_id = {story.id: found for (story, _), found in zip(unique, outside, strict=True)}
        assignments = assign_batch(items, known, by_id, self.days)
        await self.state.save([a for a in assignments if a.new])
        return {a.story.id: a.member.cluster_id for a in assignments}
