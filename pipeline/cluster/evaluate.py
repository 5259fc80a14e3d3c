"""`wirestream eval clusters DIR`: the clusters the stream would make, against labelled ones.

DIR holds JSON files ``{"lang": .., "stories": [{"id", "cluster", "site", "kind", "title", "text",
"published_at", "edit"}, ..]}``: stories in arrival order, ``cluster`` the true cluster label. The
stories go through the same :class:`pipeline.cluster.clusterer.Clusterer` as in the worker (state in
memory, batches of ``batch`` stories in time order), each story's language detected by the
project's engine as in the stream. Scores: pairwise precision and recall (over every pair of
stories: same predicted cluster against same true cluster), per language and in all, the pairs it
got wrong, and the cost (prints per second, and the whole run).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from pipeline.cluster.clusterer import Clusterer
from pipeline.cluster.prints import story_print
from pipeline.cluster.state import MemoryState
from pipeline.fingerprint import fingerprint
from pipeline.language import detect
from pipeline.messages import Story


@dataclass(frozen=True)
class Labelled:
    story: Story
    truth: str  # the true cluster label
    edit: str


def load_stories(directory: Path) -> list[Labelled]:
    """Every story of the folder's JSON files, in time order."""
    found: list[Labelled] = []
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["stories"]:
            text = str(item["text"])
            story = Story(
                id=str(item["id"]),
                kind=item["kind"],
                title=item.get("title"),
                text=text,
                lang=detect(text).lang,
                site=str(item["site"]),
                page_url=f"https://{item['site']}/{item['id']}",
                first_seen_at=datetime.fromisoformat(str(item["published_at"]).replace("Z", "+00:00")),
                fingerprint=fingerprint(text),
                position=0 if item["kind"] == "article" else 1,
            )
            found.append(Labelled(story, str(item["cluster"]), str(item.get("edit", ""))))
    found.sort(key=lambda labelled: labelled.story.first_seen_at)
    return found


def pairwise(truth: dict[str, str], predicted: dict[str, str]) -> tuple[int, int, int]:
    """(true positives, false positives, false negatives) over every pair of stories."""
    tp = fp = fn = 0
    for a, b in combinations(sorted(truth), 2):
        same_truth, same_predicted = truth[a] == truth[b], predicted[a] == predicted[b]
        tp += same_truth and same_predicted
        fp += same_predicted and not same_truth
        fn += same_truth and not same_predicted
    return tp, fp, fn


def _scores(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {
        "pairs_same_story": tp + fn,
        "precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
        "false_pairs": fp,
        "missed_pairs": fn,
    }


def run(stories: Sequence[Labelled], days: float = 3.0, batch: int = 50) -> dict[str, str]:
    """Story id -> predicted cluster, through the worker's clusterer with its state in memory."""
    clusterer = Clusterer(MemoryState(), days)
    predicted: dict[str, str] = {}

    async def go() -> None:
        for start in range(0, len(stories), batch):
            part = [labelled.story for labelled in stories[start : start + batch]]
            predicted.update(await clusterer.assign(part))

    asyncio.run(go())
    return predicted


def evaluate_clusters(directory: Path, days: float = 3.0, batch: int = 50) -> dict[str, Any]:
    stories = load_stories(directory)
    started = time.perf_counter()
    predicted = run(stories, days, batch)
    elapsed = time.perf_counter() - started
    timer = time.perf_counter()
    for labelled in stories:
        story_print(labelled.story.title, labelled.story.text)
    prints_per_second = len(stories) / max(time.perf_counter() - timer, 1e-9)
    truth = {labelled.story.id: labelled.truth for labelled in stories}
    by_lang: dict[str, list[str]] = defaultdict(list)
    for labelled in stories:  # the labelled language: the file's, from the id's prefix
        by_lang[labelled.truth.split("-")[0]].append(labelled.story.id)
    report: dict[str, Any] = {
        "stories": len(stories),
        "true_clusters": len(set(truth.values())),
        "predicted_clusters": len(set(predicted.values())),
        "languages": len(by_lang),
        **_scores(*pairwise(truth, predicted)),
        "by_language": {
            lang: _scores(*pairwise({i: truth[i] for i in ids}, {i: predicted[i] for i in ids}))
            for lang, ids in sorted(by_lang.items())
        },
        "cost": {
            "prints_per_second": round(prints_per_second),
            "run_seconds": round(elapsed, 2),
            "stories_per_second": round(len(stories) / max(elapsed, 1e-9)),
        },
        "wrong": list(_wrong(stories, predicted)),
    }
    return report


def _wrong(stories: Sequence[Labelled], predicted: dict[str, str]) -> Iterable[str]:
    """A line per story whose cluster is not its label's: joined wrongly, or left out."""
    first_of: dict[str, str] = {}
    for labelled in stories:
        first_of.setdefault(labelled.truth, labelled.story.id)
    members: dict[str, list[Labelled]] = defaultdict(list)
    for labelled in stories:
        members[predicted[labelled.story.id]].append(labelled)
    for labelled in stories:
        story = labelled.story
        mates = members[predicted[story.id]]
        strangers = [m.story.id for m in mates if m.truth != labelled.truth]
        missing = [
            other.story.id
            for other in stories
            if other.truth == labelled.truth and predicted[other.story.id] != predicted[story.id]
        ]
        if strangers:
            yield f"{story.id} ({labelled.edit}, lang {story.lang}) joined with {', '.join(strangers)}"
        elif missing and first_of[labelled.truth] != story.id and predicted[story.id] == story.id:
            yield f"{story.id} ({labelled.edit}, lang {story.lang}) not joined with {', '.join(missing)}"
