"""`wirestream bench pipeline`: one worker end to end, beside what bounds it, on the real stack.

For each kind of page (``text`` and ``html``: the demo's sample pages; ``real``: the pages of
``--html-dir``), N copies, each under its own URL, are measured three ways in the same run, so the
machine's speed cancels out:

* split alone - the pure split of the same pages in this process, one core, with site memory as a
  worker keeps it;
* end to end - the pages published to fresh topics, one worker started, timed from its start (group
  join and split processes included) until every expected story is searchable;
* Elasticsearch's ceiling - the very same stories bulk-indexed straight into an index made from the
  project's template (batches of ``WIRESTREAM_BULK_BATCH_SIZE``);

and then publish-to-searchable latency (p50, p99, max) at half the end-to-end rate (``latency.py``).

``--clusters`` measures the cost of story clusters instead: the worker end to end with clustering on
and off, side by side, on pages whose stories are all different (each copy's words replaced by a
permutation of its page's vocabulary, so its shape stays and its text does not) except that every
page is republished once under another URL (clusters of two), and the cluster state's size per
million stories. ``--repeat N`` alternates on and off N times and reports the medians.

Topics and indices are the benchmark's own and are deleted afterwards.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from pipeline.bootstrap import ensure_index, init, scoped, teardown
from pipeline.cluster.indices import clusters_index, members_index
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services, sample_pages
from pipeline.errors import PermanentError
from pipeline.index.client import es_client
from pipeline.index.documents import bulk_action
from pipeline.messages import RawPage, Story
from pipeline.publish import publish_pages
from pipeline.split import SiteMemory, split
from pipeline.tools.bench.latency import searchable_latency
from pipeline.tools.bench.split import html_pages
from pipeline.tools.worker_process import running_worker, wait_until_indexed


def copies(samples: list[RawPage], count: int) -> list[RawPage]:
    pages = []
    for i in range(count):
        base = samples[i % len(samples)]
        url = f"{base.canonical_url.rstrip('/')}/bench-{i}"
        pages.append(base.model_copy(update={"url": url, "canonical_url": url}))
    return pages


def distinct_copies(samples: list[RawPage], count: int) -> list[RawPage]:
    """``count`` pages of the samples' shapes whose stories are all different, except that each
    text appears twice (under two URLs): a realistic share of republished stories."""
    pages = []
    for i, base in enumerate(copies(samples, count)):
        variant = (i // len(samples)) // 2  # pages i and i + len(samples) share a text
        pages.append(base.model_copy(update={"body": _reworded(base.body, variant)}))
    return pages


_WORD = re.compile(r"\b[^\W\d_]{4,}\b")
_TEXT = re.compile(r">([^<]+)<")


def _reworded(body: str, seed: int) -> str:
    """The body with its words (of four letters and more) replaced by a permutation of its own
    vocabulary (HTML: text between tags only)."""
    vocabulary = sorted(set(_WORD.findall(body)))
    shuffled = list(vocabulary)
    random.Random(seed).shuffle(shuffled)
    mapping = dict(zip(vocabulary, shuffled, strict=True))

    def words(text: str) -> str:
        return _WORD.sub(lambda m: mapping[m.group(0)], text)

    if body.lstrip().startswith("<"):
        return _TEXT.sub(lambda m: ">" + words(m.group(1)) + "<", body)
    return words(body)


def sample_copies(count: int) -> list[RawPage]:
    return copies([s.page for s in sample_pages()], count)


def _kinds(html_dir: Path | None, publishers: set[str] | None) -> dict[str, list[RawPage]]:
    samples = [s.page for s in sample_pages()]
    kinds = {
        "text": [p for p in samples if p.content_type == "text/plain"],
        "html": [p for p in samples if p.content_type == "text/html"],
    }
    if html_dir is not None:
        kinds["real"] = html_pages(html_dir, publishers)
    return kinds


def _split_alone(pages: list[RawPage]) -> tuple[list[Story], float]:
    memory = SiteMemory()
    stories: list[Story] = []
    t0 = time.perf_counter()
    for page in pages:
        try:
            stories.extend(split(page, memory).stories)
        except PermanentError:
            continue
    return stories, time.perf_counter() - t0


def _ceiling(settings: Settings, stories: list[Story]) -> float:
    """Seconds to bulk-index ``stories`` into a fresh index from the template, in worker-size batches."""
    ceiling = scoped(settings, settings.topic_prefix + "c")
    ensure_index(ceiling)
    es = es_client(ceiling)
    try:
        t0 = time.perf_counter()
        size = settings.bulk_batch_size
        for i in range(0, len(stories), size):
            batch = stories[i : i + size]
            response = es.bulk(
                operations=[part for s in batch for part in bulk_action(s, ceiling.index_alias)]
            )
            if response["errors"]:
                raise RuntimeError("the ceiling's bulk requests were refused")
        es.indices.refresh(index=ceiling.index_alias)
        return time.perf_counter() - t0
    finally:
        es.close()
        teardown(ceiling)


def _end_to_end(
    settings: Settings,
    pages: list[RawPage],
    ids: list[str],
    timeout: float,
    before_teardown: Callable[[Settings], None] | None = None,
) -> float:
    init(settings)
    publish_pages(settings, pages)
    log_path = settings.state_dir / "logs" / f"{settings.topic_prefix}-worker.log"

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(
                f"\r  {done}/{total} stories indexed",
                end="" if done < total else "\n",
                file=sys.stderr,
                flush=True,
            )

    t0 = time.monotonic()
    try:
        with running_worker(
            settings, log_path, "--no-init", env={"WIRESTREAM_LOG_LEVEL": "WARNING"}
        ) as worker:
            wait_until_indexed(settings, ids, worker, timeout, progress)
            elapsed = time.monotonic() - t0
        if before_teardown is not None:
            before_teardown(settings)
        return elapsed
    finally:
        teardown(settings)


def pipeline_throughput(
    settings: Settings,
    pages: int,
    say: Callable[[str], None],
    html_dir: Path | None = None,
    publishers: set[str] | None = None,
    timeout: float = 900.0,
    latency_seconds: float = 30.0,
) -> dict[str, Any]:
    settings = ensure_services(settings, say)
    results: dict[str, Any] = {}
    for kind, samples in _kinds(html_dir, publishers).items():
        batch = copies(samples, pages)
        stories, split_s = _split_alone(batch)
        ids = sorted({s.id for s in stories})
        tag = "bench" + uuid.uuid4().hex[:6]
        run = scoped(settings, tag)
        say(
            f"{kind}: {len(batch)} pages ({len(ids)} stories); split alone {len(batch) / split_s:.0f} pages/s"
        )
        ceiling_s = _ceiling(run, stories)
        say(f"{kind}: Elasticsearch ceiling {len(stories) / ceiling_s:.0f} stories/s; now one worker ...")
        e2e_s = _end_to_end(run, batch, ids, timeout)
        results[kind] = {
            "pages": len(batch),
            "stories": len(ids),
            "split_alone_pages_per_s": round(len(batch) / split_s, 1),
            "end_to_end_pages_per_s": round(len(batch) / e2e_s, 1),
            "end_to_end_stories_per_s": round(len(ids) / e2e_s, 1),
            "es_ceiling_stories_per_s": round(len(stories) / ceiling_s, 1),
            "end_to_end_vs_split_alone": round(split_s / e2e_s, 2),
            "end_to_end_vs_es_ceiling": round(ceiling_s / e2e_s * len(ids) / max(1, len(stories)), 2),
        }
        half = max(1.0, round(len(batch) / e2e_s / 2))
        say(f"{kind}: publish-to-searchable latency at {half:g} pages/s (half the end-to-end rate) ...")
        results[kind]["latency_at_half_rate"] = searchable_latency(settings, samples, half, latency_seconds)
        say(f"{kind}: {results[kind]}")
    results["note"] = (
        "end to end: one worker (WIRESTREAM_SPLIT_PROCESSES split processes), from its start incl. "
        "group join; split alone: one process, one core"
    )
    return results


def cluster_cost(
    settings: Settings,
    pages: int,
    say: Callable[[str], None],
    html_dir: Path | None = None,
    publishers: set[str] | None = None,
    timeout: float = 900.0,
    repeat: int = 1,
) -> dict[str, Any]:
    """One worker end to end with clustering on, then off, on the same pages (per kind of page);
    with ``repeat``, that many rounds alternating, and the medians (single runs on a shared 2-core
    machine vary by 10-15%: one pair says little)."""
    settings = ensure_services(settings, say)
    results: dict[str, Any] = {}
    for kind, samples in _kinds(html_dir, publishers).items():
        batch = distinct_copies(samples, pages)
        stories, _ = _split_alone(batch)
        ids = sorted({s.id for s in stories})
        state: dict[str, Any] = {}
        rounds: list[dict[bool, float]] = []
        for round_no in range(repeat):
            seconds = {}
            for clusters in (True, False):
                run = scoped(settings, "bench" + uuid.uuid4().hex[:6], clusters_enabled=clusters)
                say(
                    f"{kind}: {len(batch)} pages ({len(ids)} stories), clusters {'on' if clusters else 'off'}"
                    f" (round {round_no + 1} of {repeat}) ..."
                )
                measure = partial(_state_size, into=state) if clusters and not state else None
                seconds[clusters] = _end_to_end(run, batch, ids, timeout, measure)
            rounds.append(seconds)
        with_s = statistics.median(r[True] for r in rounds)
        without_s = statistics.median(r[False] for r in rounds)
        results[kind] = {
            "pages": len(batch),
            "stories": len(ids),
            "rounds": repeat,
            "with_clusters_stories_per_s": round(len(ids) / with_s, 1),
            "without_clusters_stories_per_s": round(len(ids) / without_s, 1),
            "with_vs_without": round(without_s / with_s, 2),
            "with_vs_without_per_round": [round(r[False] / r[True], 2) for r in rounds],
            **state,
        }
        say(f"{kind}: {results[kind]}")
    return results


def _state_size(settings: Settings, into: dict[str, Any]) -> None:
    """The cluster state's size on disk, per million stories."""
    es = es_client(settings)
    try:
        index = members_index(settings.index_alias)
        es.indices.refresh(index=index)
        es.indices.forcemerge(index=index, max_num_segments=1)
        stats = es.indices.stats(index=index, metric=["store", "docs"])["_all"]["primaries"]
        members = int(stats["docs"]["count"])
        size = int(stats["store"]["size_in_bytes"])
        clusters = int(es.count(index=clusters_index(settings.index_alias))["count"])
    finally:
        es.close()
    into.update(
        members=members,
        clusters=clusters,
        state_bytes_per_story=round(size / max(1, members)),
        state_gb_per_million_stories=round(size / max(1, members) * 1e6 / 1e9, 2),
    )
