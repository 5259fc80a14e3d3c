from datetime import UTC, datetime

from pipeline.cluster.clusterer import assign_batch
from pipeline.cluster.prints import story_print
from pipeline.cluster.state import (
    FETCHED_PER_CLUSTER,
    candidates_search,
    chosen_members,
    grow,
    iso,
    member_document,
    member_of,
)
from tests.cluster.stories import OTHER_QUAKE, QUAKE, story


def test_a_member_document_reads_back_as_the_same_member() -> None:
    s = story("a1", QUAKE, "aa.example")
    [a] = assign_batch([(s, story_print(s.title, s.text))], {}, {}, days=3)
    doc = member_document(a.member)
    assert member_of("a1", doc) == a.member
    assert len(doc["bands"]) == 84 and doc["at"] == "2026-03-03T05:00:00.000Z"


def test_times_have_one_format_so_the_script_can_compare_them_as_text() -> None:
    assert iso(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_candidates_are_searched_by_band_in_the_languages_within_the_horizon() -> None:
    a, b = story("a1", QUAKE, "aa.example", 60), story("b1", OTHER_QUAKE, "b.example", lang="tr")
    body = candidates_search([(s, story_print(s.title, s.text)) for s in (a, b)], days=3)
    query = body["query"]["bool"]
    assert {"terms": {"lang": ["en", "tr"]}} in query["filter"]
    assert {"range": {"at": {"gte": "2026-02-28T05:00:00.000Z"}}} in query["filter"]  # the earliest's
    (bands,) = [f["terms"]["bands"] for f in query["filter"] if "bands" in f.get("terms", {})]
    assert len(bands) == len(set(bands)) > 84


def test_of_the_candidates_found_a_few_of_each_cluster_are_read_the_latest_first() -> None:
    def hit(story_id: str, cluster: str) -> dict[str, object]:
        return {"_id": story_id, "fields": {"cluster_id": [cluster]}}

    big = [hit(f"w{i}", "wire") for i in range(100)]  # the answer comes latest first
    responses = [
        {"hits": {"hits": [*big[:50], hit("o1", "other")]}},
        {"hits": {"hits": [*big[40:], hit("o1", "other")]}},
    ]
    chosen = chosen_members(responses)
    assert chosen == [f"w{i}" for i in range(FETCHED_PER_CLUSTER)] + ["o1"]


def test_a_cluster_document_counts_each_story_once_and_the_article_names_it() -> None:
    teaser = story("t1", "A short teaser of the flood story.", "c.example", kind="teaser")
    copy = story("b1", QUAKE, "b.example", 30)
    later = story("c1", QUAKE, "c.example", 60)
    [t, b, c] = assign_batch(
        [(s, story_print(s.title, s.text)) for s in (teaser, copy, later)],
        {"t1": "t1", "b1": "t1", "c1": "t1"},
        {},
        3,
    )
    doc = grow([t])("t1", None)
    assert doc is not None and (doc["size"], doc["kind"], doc["sites"]) == (1, "teaser", ["c.example"])
    doc = grow([b, c])("t1", doc)
    assert doc is not None
    assert (doc["size"], doc["site_count"], doc["kind"], doc["story_id"]) == (3, 2, "article", "b1")
    assert (
        doc["first_seen_at"] == "2026-03-03T05:00:00.000Z"
        and doc["last_seen_at"] == "2026-03-03T06:00:00.000Z"
    )
    assert grow([b, c])("t1", doc) is None  # a replay changes nothing
