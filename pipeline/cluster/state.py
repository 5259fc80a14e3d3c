"""Where the clusters are kept: Elasticsearch in the worker (:class:`ElasticState`), a dict in the
evaluation and the tests (:class:`MemoryState`). Both answer the same three questions
(:class:`pipeline.cluster.clusterer.State`)."""

from __future__ import annotations

import base64
import sys
import time
from array import array
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from pipeline.cluster.clusterer import Assignment
from pipeline.cluster.decide import BandIndex, Member, at_most_per_cluster, horizon
from pipeline.cluster.indices import clusters_index, members_index
from pipeline.cluster.minhash import SCHEME
from pipeline.cluster.prints import Print
from pipeline.errors import TransientError
from pipeline.index.merge import Change, merge
from pipeline.index.triage import Outcome, classify, reason
from pipeline.messages import Story

#: Members this worker wrote are searched here this long (Elasticsearch shows them after a refresh,
#: every second).
RECENT_SECONDS = 5.0

#: Candidates read per search (the latest first), and stories per search (a terms query holds at
#: most 65,536 terms; a story has 84 band keys).
CANDIDATES = 10_000
STORIES_PER_SEARCH = 500

#: Members of one cluster read per batch at most, the latest first: the candidate search answers
#: ids and clusters only (doc values), and only the chosen members' documents are read. A wire
#: story with thousands of copies would otherwise send thousands of signatures every batch.
FETCHED_PER_CLUSTER = 16

#: A cluster document lists at most this many story ids (its size keeps counting).
STORIES_LISTED = 1000


def iso(at: datetime) -> str:
    """One fixed format, so that times compare as strings (``grow``) and as dates in Elasticsearch."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _b64(values: array[int]) -> str:
    """Little-endian on every machine: the state is shared."""
    if sys.byteorder == "big":
        values = array("I", values)
        values.byteswap()
    return base64.b64encode(values.tobytes()).decode()


def _values(text: str) -> array[int]:
    values = array("I", base64.b64decode(text))
    if sys.byteorder == "big":
        values.byteswap()
    return values


def member_document(member: Member) -> dict[str, Any]:
    p = member.print
    return {
        "cluster_id": member.cluster_id,
        "scheme": SCHEME,
        "lang": member.lang,
        "site": member.site,
        "at": iso(member.at),
        "bands": p.bands(),
        "body": _b64(p.body),
        "lead": _b64(p.lead),
        "body_size": p.body_size,
        "lead_size": p.lead_size,
        "words": p.words,
    }


def member_of(story_id: str, doc: dict[str, Any]) -> Member:
    p = Print(_values(doc["body"]), doc["body_size"], _values(doc["lead"]), doc["lead_size"], doc["words"])
    at = datetime.fromisoformat(doc["at"].replace("Z", "+00:00"))
    return Member(story_id, doc["cluster_id"], doc["lang"], doc["site"], at, p)


def grow(joining: Sequence[Assignment]) -> Change:
    """The change that counts these stories in their cluster's document (a story it lists already
    changes nothing, so a replay or a retried write counts nobody twice)."""

    def change(cluster_id: str, current: dict[str, Any] | None) -> dict[str, Any] | None:
        c: dict[str, Any] = dict(current) if current else new_cluster(cluster_id, joining[0].story)
        listed, sites = list(c["stories"]), list(c["sites"])
        for a in joining:
            story = a.story
            if story.id in listed:
                continue
            if len(listed) < STORIES_LISTED:
                listed.append(story.id)
            c["size"] += 1
            if story.site not in sites:
                sites.append(story.site)
            at = iso(story.first_seen_at)
            c["first_seen_at"], c["last_seen_at"] = min(c["first_seen_at"], at), max(c["last_seen_at"], at)
            if story.kind == "article" and c["kind"] != "article":  # the article names the cluster
                c.update(kind="article", title=_title(story), story_id=story.id)
        if current is not None and listed == current["stories"]:
            return None
        c.update(stories=listed, sites=sites, site_count=len(sites))
        return c

    return change


def started(cluster_id: str, joining: Sequence[Assignment]) -> dict[str, Any]:
    """The document of a cluster these stories start."""
    doc = grow(joining)(cluster_id, None)
    if doc is None:  # pragma: no cover - a missing document always changes
        raise AssertionError(cluster_id)
    return doc


def new_cluster(cluster_id: str, first: Story) -> dict[str, Any]:
    at = iso(first.first_seen_at)
    return {
        "cluster_id": cluster_id,
        "story_id": first.id,
        "kind": first.kind,
        "title": _title(first),
        "lang": first.lang,
        "size": 0,
        "sites": [],
        "site_count": 0,
        "stories": [],
        "first_seen_at": at,
        "last_seen_at": at,
    }


def _title(story: Story) -> str:
    return story.title or story.text[:200]


def candidates_search(items: Sequence[tuple[Story, Print]], days: float) -> dict[str, Any]:
    """One search for the members sharing a band with any of these stories, in their languages,
    within the horizon of the earliest (each story's own are picked out of the answer)."""
    since = iso(min(horizon(story.first_seen_at, days) for story, _ in items))
    bands = sorted({band for _, print_ in items for band in print_.band_keys})
    return {
        "query": {
            "bool": {
                "filter": [
                    {"terms": {"lang": sorted({story.lang for story, _ in items})}},
                    {"term": {"scheme": SCHEME}},
                    {"range": {"at": {"gte": since}}},
                    {"terms": {"bands": bands}},
                ]
            }
        },
        "size": CANDIDATES,
        "sort": [{"at": "desc"}],
        "_source": False,
        "docvalue_fields": ["cluster_id"],
        "track_total_hits": False,
    }


def chosen_members(responses: Sequence[dict[str, Any]]) -> list[str]:
    """Ids of the members to read, from the candidate searches' answers (latest first): at most
    :data:`FETCHED_PER_CLUSTER` of each cluster."""
    hits: dict[str, dict[str, Any]] = {}  # by id: a member found by two searches is read once
    for response in responses:
        if "error" in response:
            raise TransientError(f"cluster candidates: {response['error']}")
        for hit in response["hits"]["hits"]:
            hits.setdefault(hit["_id"], hit)
    chosen = at_most_per_cluster(hits.values(), _cluster_of_hit, FETCHED_PER_CLUSTER)
    return [hit["_id"] for hit in chosen]


def _cluster_of_hit(hit: dict[str, Any]) -> str:
    return str(hit["fields"]["cluster_id"][0])


#: Of the state's bulk answer, only what is read (decoding the whole of it costs the worker time).
STATE_ANSWER = "errors,items.*._index,items.*._id,items.*.status,items.*.error"


class ElasticState:
    """The cluster state in ``<alias>.cluster-members`` and ``<alias>.clusters``.

    Per batch: the members the state knows and the candidates of its stories (one ``mget`` and one
    search of all their band keys, at once; then one ``mget`` of the chosen candidates'
    signatures), then one ``_bulk`` with the new members and the
    clusters they start; only clusters that grew are read and written back (``index/merge.py``). The
    members this worker wrote in the last :data:`RECENT_SECONDS` are also kept here, so that its next
    batches find them before Elasticsearch's refresh makes them searchable."""

    def __init__(
        self, es: AsyncElasticsearch, alias: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.es = es
        self.members = members_index(alias)
        self.clusters = clusters_index(alias)
        self.clock = clock
        self.recent: deque[tuple[float, Member]] = deque()
        self.recent_index = BandIndex()

    async def known(self, ids: Sequence[str]) -> dict[str, str]:
        found = await self.es.mget(
            index=self.members, ids=list(dict.fromkeys(ids)), source_includes=["cluster_id"]
        )
        return {doc["_id"]: doc["_source"]["cluster_id"] for doc in found["docs"] if doc.get("found")}

    async def candidates(self, items: Sequence[tuple[Story, Print]], days: float) -> list[list[Member]]:
        parts = [items[i : i + STORIES_PER_SEARCH] for i in range(0, len(items), STORIES_PER_SEARCH)]
        searches: list[dict[str, Any]] = []
        for part in parts:
            searches += [{"index": self.members}, candidates_search(part, days)]
        answer: Any = await self.es.msearch(searches=searches) if parts else {"responses": []}
        chosen = chosen_members(answer["responses"])
        docs: Any = await self.es.mget(index=self.members, ids=chosen, realtime=False) if chosen else {}
        found = BandIndex()
        for doc in docs.get("docs", ()):
            if doc.get("found"):  # (a member pruned in between is gone)
                found.add(member_of(doc["_id"], doc["_source"]))
        self._forget_old()
        result = []
        for story, print_ in items:
            since = horizon(story.first_seen_at, days)
            near = {m.story_id: m for m in found.candidates(story.lang, print_, since)}
            for member in self.recent_index.candidates(story.lang, print_, since):
                near.setdefault(member.story_id, member)
            result.append(list(near.values()))
        return result

    async def save(self, assignments: Sequence[Assignment]) -> None:
        if not assignments:
            return
        joining: dict[str, list[Assignment]] = {}
        for a in assignments:
            joining.setdefault(a.member.cluster_id, []).append(a)
        starting = {a.story.id for a in assignments if a.member.cluster_id == a.story.id}
        operations: list[dict[str, Any]] = []
        for a in assignments:
            operations += [{"create": {"_index": self.members, "_id": a.story.id}}, member_document(a.member)]
        for cluster in starting:
            operations += [
                {"create": {"_index": self.clusters, "_id": cluster}},
                started(cluster, joining[cluster]),
            ]
        answer = await self.es.bulk(operations=operations, refresh=False, filter_path=STATE_ANSWER)
        grown = {cluster: group for cluster, group in joining.items() if cluster not in starting}
        for item in answer["items"] if answer.get("errors") else []:
            result = next(iter(item.values()))
            status = int(result.get("status", 0))
            if status == 409 and result.get("_index") == self.clusters:  # a replay: count it in
                grown[result["_id"]] = joining[result["_id"]]
            elif status < 300 or status == 409:  # 409: a member another worker or a replay wrote
                continue
            elif classify(status, result.get("error")) is Outcome.RETRY:
                raise TransientError(f"cluster state: {reason(result.get('error'))}")
            else:
                raise RuntimeError(f"cluster state write refused: {reason(result.get('error'))}")
        if grown:
            await merge(self.es, self.clusters, {cluster: grow(group) for cluster, group in grown.items()})
        now = self.clock()
        for a in assignments:
            self.recent.append((now, a.member))
            self.recent_index.add(a.member)

    def _forget_old(self) -> None:
        cutoff = self.clock() - RECENT_SECONDS
        while self.recent and self.recent[0][0] < cutoff:
            self.recent_index.remove(self.recent.popleft()[1])

    async def prune(self, days: float, now: datetime) -> int:
        """Forget members first seen more than ``days`` ago: their clusters are closed."""
        answer = await self.es.delete_by_query(
            index=self.members,
            query={"range": {"at": {"lt": iso(horizon(now, days))}}},
            conflicts="proceed",
            refresh=False,
        )
        return int(answer.get("deleted", 0))


class MemoryState:
    """The same state in memory: the evaluation's, and the tests'."""

    def __init__(self) -> None:
        self.members: dict[str, Member] = {}
        self.index = BandIndex()
        self.clusters: dict[str, list[Assignment]] = {}

    async def known(self, ids: Sequence[str]) -> dict[str, str]:
        return {i: self.members[i].cluster_id for i in ids if i in self.members}

    async def candidates(self, items: Sequence[tuple[Story, Print]], days: float) -> list[list[Member]]:
        return [
            self.index.candidates(story.lang, p, horizon(story.first_seen_at, days)) for story, p in items
        ]

    async def save(self, assignments: Sequence[Assignment]) -> None:
        for a in assignments:
            if a.story.id in self.members:
                continue
            self.members[a.story.id] = a.member
            self.index.add(a.member)
            self.clusters.setdefault(a.member.cluster_id, []).append(a)
