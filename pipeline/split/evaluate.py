"""Scoring the splitter on labelled pages, and HTML extraction on the article-extraction benchmark.

Labelled pages: ``NAME.txt`` or ``NAME.html`` + ``NAME.json`` (format in tests/data/split/LABELS.md).

Metrics (micro over pages unless said):

* story-count accuracy - pages whose number of stories is right;
* story-boundary F1 - a story boundary is where a story starts: its first tokens; predicted and gold
  boundaries match when their first five tokens are equal;
* mean story token F1 - gold and predicted stories paired greedily by bag-of-tokens F1; unpaired
  stories on either side score 0; mean over all stories;
* boilerplate leakage - share of the labelled boilerplate tokens that end up inside some story;
* false-split rate - single-story pages cut into more than one story.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.fingerprint import normalise
from pipeline.messages import RawPage, Story
from pipeline.split.overlap import tokens as overlap_tokens

START_TOKENS = 5


def tokens(text: str) -> list[str]:
    """Words, and each Han, kana or Hangul character (scripts written without spaces) on its own."""
    return overlap_tokens(normalise(text))


def token_f1(predicted: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(tokens(predicted)), Counter(tokens(gold))
    common = sum((p & g).values())
    if not p or not g:
        return (1.0, 1.0, 1.0) if not p and not g else (0.0, 0.0, 0.0)
    precision, recall = common / sum(p.values()), common / sum(g.values())
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


@dataclass
class PageScore:
    name: str
    shape: str
    lang: str
    gold_count: int
    predicted_count: int
    boundaries: tuple[int, int, int]  # matched, predicted, gold
    story_f1s: list[float]
    leaked: int
    boilerplate: int
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    pages: list[PageScore]
    seconds: float

    def summary(self) -> dict[str, Any]:
        n = len(self.pages) or 1
        matched = sum(p.boundaries[0] for p in self.pages)
        predicted = sum(p.boundaries[1] for p in self.pages)
        gold = sum(p.boundaries[2] for p in self.pages)
        precision = matched / predicted if predicted else 0.0
        recall = matched / gold if gold else 0.0
        f1s = [f for p in self.pages for f in p.story_f1s]
        single = [p for p in self.pages if p.gold_count == 1]
        boiler = sum(p.boilerplate for p in self.pages)
        return {
            "pages": len(self.pages),
            "story_count_accuracy": round(sum(p.gold_count == p.predicted_count for p in self.pages) / n, 4),
            "boundary_f1": round(2 * precision * recall / (precision + recall), 4) if matched else 0.0,
            "mean_story_token_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
            "boilerplate_leakage": round(sum(p.leaked for p in self.pages) / boiler, 4) if boiler else 0.0,
            "false_split_rate": round(sum(p.predicted_count > 1 for p in single) / len(single), 4)
            if single
            else 0.0,
            "single_story_pages": len(single),
            "pages_per_s": round(len(self.pages) / self.seconds, 1) if self.seconds else None,
        }


def labelled_pages(directory: Path) -> Iterator[tuple[str, RawPage, dict[str, Any]]]:
    for label_path in sorted(directory.glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        fmt = label.get("format", "text")
        page_path = label_path.with_suffix(".html" if fmt == "html" else ".txt")
        if not page_path.exists():
            continue
        page = RawPage(
            url=label["url"],
            canonical_url=label["url"],
            site=label["site"],
            content_type="text/html" if fmt == "html" else "text/plain",
            body=page_path.read_text(encoding="utf-8"),
        )
        yield label_path.stem, page, label


def score_page(name: str, label: dict[str, Any], stories: list[Story]) -> PageScore:
    gold = label["stories"]
    gold_texts = [f"{g.get('title') or ''} {g['text']}" for g in gold]
    pred_texts = [f"{s.title or ''} {s.text}" for s in stories]

    def start(story_text: str) -> tuple[str, ...]:
        return tuple(tokens(story_text)[:START_TOKENS])

    gold_starts = Counter(start(g["text"]) for g in gold)
    pred_starts = Counter(start(s.text) for s in stories)
    matched = sum((gold_starts & pred_starts).values())

    # greedy pairing by token F1
    pairs = sorted(
        ((token_f1(p, g)[2], pi, gi) for pi, p in enumerate(pred_texts) for gi, g in enumerate(gold_texts)),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    f1s: list[float] = []
    for f1, pi, gi in pairs:
        if pi in used_p or gi in used_g:
            continue
        used_p.add(pi)
        used_g.add(gi)
        f1s.append(f1)
    f1s.extend([0.0] * (len(gold) - len(used_g) + len(stories) - len(used_p)))

    # boilerplate leaks when it occurs in the stories more often than in the gold stories
    # ("Messina" in a nav bar is boilerplate; "Messina" in the article is not)
    pred_joined = " " + " ".join(normalise(t) for t in pred_texts) + " "
    gold_joined = " " + " ".join(normalise(t) for t in gold_texts) + " "
    leaked = total = 0
    for entry in label.get("boilerplate", []):
        count = len(tokens(entry))
        total += count
        needle = f" {normalise(entry)} "
        if needle.strip() and pred_joined.count(needle) > gold_joined.count(needle):
            leaked += count
    problems = []
    if len(stories) != len(gold):
        problems.append(f"{len(stories)} stories, expected {len(gold)}")
    problems += [f"story {i} token F1 {f:.2f}" for i, f in enumerate(f1s) if f < 0.9]
    return PageScore(
        name,
        label.get("shape", "?"),
        label.get("lang", "?"),
        len(gold),
        len(stories),
        (matched, len(stories), len(gold)),
        f1s,
        leaked,
        total,
        problems,
    )


def evaluate_split(directory: Path, splitter: Callable[[RawPage], list[Story]]) -> Report:
    scores = []
    elapsed = 0.0
    for name, page, label in labelled_pages(directory):
        t0 = time.perf_counter()
        try:
            stories = splitter(page)
        except Exception as exc:  # a page the splitter refuses scores zero, it does not stop the run
            stories = []
            problem = f"splitter raised {type(exc).__name__}: {exc}"
        else:
            problem = ""
        elapsed += time.perf_counter() - t0
        score = score_page(name, label, stories)
        if problem:
            score.problems.insert(0, problem)
        scores.append(score)
    return Report(scores, elapsed)


def evaluate_extraction(
    directory: Path, extractor: Callable[[str, str], str], progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Mean token P/R/F1 of ``extractor(html, url)`` against the benchmark's gold article bodies."""
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    precisions, recalls, f1s = [], [], []
    elapsed = 0.0
    for done, (key, gold) in enumerate(sorted(truth.items()), 1):
        html = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        t0 = time.perf_counter()
        try:
            text = extractor(html, gold.get("url", ""))
        except Exception:
            text = ""
        elapsed += time.perf_counter() - t0
        gold_tokens, got = Counter(gold["articleBody"].split()), Counter(text.split())
        common = sum((gold_tokens & got).values())
        p = common / sum(got.values()) if got else 0.0
        r = common / sum(gold_tokens.values()) if gold_tokens else 0.0
        precisions.append(p)
        recalls.append(r)
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
        if progress:
            progress(done, len(truth))
    n = len(f1s) or 1
    return {
        "pages": len(f1s),
        "precision": round(sum(precisions) / n, 4),
        "recall": round(sum(recalls) / n, 4),
        "f1": round(sum(f1s) / n, 4),
        "pages_per_s": round(len(f1s) / elapsed, 1) if elapsed else None,
    }
