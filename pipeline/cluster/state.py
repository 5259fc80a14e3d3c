"""Where the clusters are kept: Elasticsearch in the worker (:class:`ElasticState`), a dict in the
evaluation and the tests (:class:`MemoryState`). Both answer the same three questions
(:class:`pipeline.cluster.clusterer.State`)."""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from pipeline.cluster.clusterer import Assignment
from pipeline.cluster.decide import BandIndex, Member, horizon
from pipeline.cluster.indices import clusters_index, members_index
from pipeline.cluster.minhash import SCHEME
from pipeline.cluster.prints import Print
from pipeline.errors import TransientError
from pipeline.index.merge import Change, merge
from pipeline.index.triage import Outcome, classify, reason
from pipeline.messages import Story

#: Candidates read per story (those sharing the most bands first).
CANDIDATES = 20

#: A cluster document lists at most this many story ids (its size keeps counting).
STORIES_LISTED = 1000


def iso(at: datetime) -> str:
    """One fixed format, so that the update script may compare times as strings."""
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


def candidates_search(story: Story, print_: Print, days: float) -> dict[str, Any]:
    bands = [{"constant_score": {"filter": {"term": {"bands": band}}}} for band in print_.bands()]
    since = iso(horizon(story.first_seen_at, days))
    return {
        "query": {
            "bool": {
                "filter": [
                    {"term": {"lang": story.lang}},
                    {"term": {"scheme": SCHEME}},
                    {"range": {"at": {"gte": since}}},
                ],
                "should": bands,
                "minimum_should_match": 1,
            }
        },
        "size": CANDIDATES,
        "_source": {"excludes": ["bands"]},
        "track_total_hits": False,
    }


class ElasticState:
    """The cluster state in ``<alias>.cluster-members`` and ``<alias>.clusters``."""

    def __init__(self, es: AsyncElasticsearch, alias: str) -> None:
        self.es = es
        self.members = members_index(alias)
        self.clusters = clusters_index(alias)

    async def known(self, ids: Sequence[str]) -> dict[str, str]:
        found = await self.es.mget(
            index=self.members, ids=list(dict.fromkeys(ids)), source_includes=["cluster_id"]
        )
        return {doc["_id"]: doc["_source"]["cluster_id"] for doc in found["docs"] if doc.get("found")}

    async def candidates(self, items: Sequence[tuple[Story, Print]], days: float) -> list[list[Member]]:
        await self.es.indices.refresh(index=self.members)  # the previous batches of every worker
        searches: list[dict[str, Any]] = []
        for story, print_ in items:
            searches += [{"index": self.members}, candidates_search(story, print_, days)]
        answer = await self.es.msearch(searches=searches)
        result = []
        for response in answer["responses"]:
            if "error" in response:
                raise TransientError(f"cluster candidates: {response['error']}")
            result.append([member_of(hit["_id"], hit["_source"]) for hit in response["hits"]["hits"]])
        return result

    async def save(self, assignments: Sequence[Assignment]) -> None:
        if not assignments:
            return
        operations: list[dict[str, Any]] = []
        for a in assignments:
            operations += [{"create": {"_index": self.members, "_id": a.story.id}}, member_document(a.member)]
        answer = await self.es.bulk(operations=operations, refresh=False)
        for item in answer["items"] if answer.get("errors") else []:
            result = next(iter(item.values()))
            status = int(result.get("status", 0))
            if status < 300 or status == 409:  # 409: a member another worker or a replay wrote
                continue
            if classify(status, result.get("error")) is Outcome.RETRY:
                raise TransientError(f"cluster state: {reason(result.get('error'))}")
            raise RuntimeError(f"cluster state write refused: {reason(result.get('error'))}")
        joining: dict[str, list[Assignment]] = {}
        for a in assignments:
            joining.setdefault(a.member.cluster_id, []).append(a)
        await merge(self.es, self.clusters, {cluster: grow(group) for cluster, group in joining.items()})

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
