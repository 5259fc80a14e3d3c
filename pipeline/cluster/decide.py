"""Which cluster a story joins (pure): compare its print with its candidates', join the closest.

Two stories are copies of one story when one of these holds (estimates from the signatures):

* their texts are alike: Jaccard similarity of the bodies at least :data:`SAME_TEXT`;
* one text is mostly inside the other (a copy trimmed to its first paragraphs, or one with a local
  paragraph added): containment at least :data:`INSIDE`, with Jaccard at least :data:`INSIDE_FLOOR`;
* one is short (a teaser, at most :data:`SHORT_WORDS` words) and it is the other's lead: the leads'
  containment at least :data:`LEAD_INSIDE`, Jaccard at least :data:`LEAD_FLOOR`.

Otherwise they are different stories, however much vocabulary they share: two earthquakes in one
week, or a follow-up that repeats yesterday's background paragraph, share a paragraph's shingles at
most, far below these thresholds.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from pipeline.cluster.prints import Print

SAME_TEXT = 0.5
INSIDE = 0.8
INSIDE_FLOOR = 0.25
SHORT_WORDS = 60
LEAD_INSIDE = 0.65
LEAD_FLOOR = 0.25


@dataclass(frozen=True)
class Member:
    """A story already in a cluster, as the cluster state keeps it."""

    story_id: str
    cluster_id: str
    lang: str
    site: str
    at: datetime  # the story's first-seen time
    print: Print


def jaccard(a: array[int], b: array[int]) -> float:
    return sum(1 for x, y in zip(a, b, strict=True) if x == y) / len(a)


def containment(j: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set inside the larger, from their Jaccard similarity and sizes."""
    if not size_a or not size_b:
        return 0.0
    common = j * (size_a + size_b) / (1 + j)
    return min(1.0, common / min(size_a, size_b))


def similarity(a: Print, b: Print) -> float:
    """How alike two stories are when they are copies of one story (0 when they are not)."""
    body = jaccard(a.body, b.body)
    if body >= SAME_TEXT:
        return body
    if body >= INSIDE_FLOOR and containment(body, a.body_size, b.body_size) >= INSIDE:
        return body
    if min(a.words, b.words) <= SHORT_WORDS:  # (a text of LEAD_WORDS or fewer is its lead)
        lead = jaccard(a.lead, b.lead)
        if lead >= LEAD_FLOOR and containment(lead, a.lead_size, b.lead_size) >= LEAD_INSIDE:
            return lead
    return 0.0


def closest(story: Print, candidates: Iterable[Member]) -> Member | None:
    """The candidate most like the story among those that are copies of it (ties: the earliest)."""
    best: tuple[float, datetime, str] | None = None
    chosen = None
    for member in candidates:
        score = similarity(story, member.print)
        if not score:
            continue
        key = (-score, member.at, member.story_id)
        if best is None or key < best:
            best, chosen = key, member
    return chosen


#: Members a band holds at most (see :class:`BandIndex`).
MEMBERS_PER_BAND = 16


class BandIndex:
    """Members by LSH band, in memory: the stories of one batch, the candidates the state answered,
    or a whole evaluation set. Keyed on the bands' raw rows (:attr:`Print.row_bands`), per language.

    A band's first member is held directly and only a band shared by several gets a list: a batch
    of 500 stories adds 42,000 bands, and a list and a tuple for each are what made the worker's
    garbage collector work (11% of the event loop's time in ``add``).

    A band holds at most :data:`MEMBERS_PER_BAND` members, the first added (the state answers the
    latest first). Copies of one story share nearly every band: with hundreds of copies, a story's
    candidates were every copy once per band, and looking them up took three quarters of the
    worker's time. A different story sharing a band with a big cluster is still found through its
    other bands."""

    def __init__(self) -> None:
        self._first: dict[str, dict[bytes, Member]] = {}
        self._more: dict[str, dict[bytes, list[Member]]] = {}

    def __len__(self) -> int:
        """Distinct bands held (0 once every member is removed)."""
        return sum(len(bands) for bands in self._first.values())

    def add(self, member: Member) -> None:
        first = self._first.setdefault(member.lang, {})
        for band in member.print.row_bands:
            if first.setdefault(band, member) is not member:
                others = self._more.setdefault(member.lang, {}).setdefault(band, [])
                if len(others) < MEMBERS_PER_BAND - 1:
                    others.append(member)

    def remove(self, member: Member) -> None:
        first, more = self._first.get(member.lang, {}), self._more.get(member.lang, {})
        for band in member.print.row_bands:
            others = more.get(band)
            if first.get(band) is member:
                if others:
                    first[band] = others.pop(0)
                else:
                    del first[band]
            elif others is not None:
                others[:] = [m for m in others if m is not member]
            if others is not None and not others:
                del more[band]

    def candidates(self, lang: str, story: Print, since: datetime | None = None) -> list[Member]:
        seen: dict[str, Member] = {}
        first, more = self._first.get(lang), self._more.get(lang, {})
        if first is None:
            return []
        skipped: set[str] = set()  # too old
        for band in story.row_bands:
            member = first.get(band)
            if member is None:
                continue
            for found in (member, *more[band]) if band in more else (member,):
                key = found.story_id
                if key in seen or key in skipped:  # copies share most bands: each is judged once
                    continue
                if since is None or found.at >= since:
                    seen[key] = found
                else:
                    skipped.add(key)
        return list(seen.values())


def horizon(at: datetime, days: float) -> datetime:
    """Clusters whose stories are all older than this, relative to a story seen at ``at``, are closed."""
    return at - timedelta(days=days)


T = TypeVar("T")


def at_most_per_cluster(items: Iterable[T], cluster_of: Callable[[T], str], limit: int) -> list[T]:
    """The items in their order, at most ``limit`` of each cluster (a story republished thousands of
    times must not crowd out the others, nor cost one comparison or one read per copy)."""
    taken: Counter[str] = Counter()
    kept = []
    for item in items:
        cluster = cluster_of(item)
        if taken[cluster] < limit:
            taken[cluster] += 1
            kept.append(item)
    return kept
