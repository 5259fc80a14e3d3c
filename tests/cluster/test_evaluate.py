import json
from pathlib import Path

from pipeline.cluster.evaluate import evaluate_clusters, pairwise
from tests.cluster.stories import OTHER_QUAKE, QUAKE, copy_edited, lead

DATA = Path(__file__).parents[1] / "data" / "clusters"


def test_pairwise_counts_pairs() -> None:
    truth = {"a": "1", "b": "1", "c": "2"}
    assert pairwise(truth, {"a": "x", "b": "x", "c": "y"}) == (1, 0, 0)
    assert pairwise(truth, {"a": "x", "b": "y", "c": "x"}) == (0, 1, 1)


def test_a_small_labelled_set(tmp_path: Path) -> None:
    rows = [
        ("q-1", "q", "aa.example", "article", QUAKE, "2026-03-03T05:00:00Z"),
        ("q-2", "q", "b.example", "article", copy_edited(QUAKE), "2026-03-03T06:00:00Z"),
        ("q-3", "q", "c.example", "teaser", lead(QUAKE), "2026-03-03T07:00:00Z"),
        ("o-1", "o", "aa.example", "article", OTHER_QUAKE, "2026-03-08T07:00:00Z"),
    ]
    stories = [
        {"id": i, "cluster": c, "site": s, "kind": k, "title": "t", "text": t, "published_at": p, "edit": ""}
        for i, c, s, k, t, p in rows
    ]
    (tmp_path / "en.json").write_text(json.dumps({"lang": "en", "stories": stories}))
    report = evaluate_clusters(tmp_path)
    assert (report["precision"], report["recall"], report["predicted_clusters"]) == (1.0, 1.0, 2)
    assert report["wrong"] == []


def test_the_projects_labelled_set_keeps_its_scores() -> None:
    report = evaluate_clusters(DATA)
    assert report["stories"] >= 300 and report["languages"] >= 8
    assert report["precision"] >= 0.98 and report["recall"] >= 0.95, report["wrong"]
