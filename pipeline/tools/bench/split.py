"""`wirestream bench split`: pages/s per core of the split stage's text and HTML paths (pure code)."""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.demo.runner import sample_pages
from pipeline.errors import PermanentError
from pipeline.messages import RawPage
from pipeline.split import page_paragraphs, split
from pipeline.split.paragraphs import Para
from pipeline.split.segment import segment


def split_throughput(pages: int, say: Callable[[str], None], html_dir: Path | None = None) -> dict[str, Any]:
    """Pages/s on one core for the text path and the HTML path of the split stage (pure code, no Kafka).

    "split" is the whole stage core (extraction, paragraphs, segmentation, language, ids); "cut" is
    extraction, paragraphs and segmentation: the splitting alone, without language identification.
    """
    samples = [s.page for s in sample_pages()]
    text_pages = [p for p in samples if p.content_type == "text/plain"]
    html_pages = [p for p in samples if p.content_type == "text/html"]
    if html_dir is not None and (html_dir / "html").is_dir():
        html_pages = [
            RawPage(
                url=f"https://bench.example/{f.name}",
                canonical_url=f"https://bench.example/{f.name}",
                site="bench",
                content_type="text/html",
                body=gzip.decompress(f.read_bytes()).decode("utf-8", "replace"),
            )
            for f in sorted((html_dir / "html").glob("*.html.gz"))
        ]
    results: dict[str, Any] = {}
    for name, group in (("text", text_pages), ("html", html_pages)):
        runs = [group[i % len(group)] for i in range(pages if name == "text" else min(pages, 4 * len(group)))]
        refused = 0
        t0 = time.perf_counter()
        for page in runs:
            try:
                split(page)
            except PermanentError:  # a page with no text is dead-lettered in the worker: it counts
                refused += 1
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        for page in runs:
            segment(_paragraphs(page))
        cut = time.perf_counter() - t0
        results[name] = {
            "pages": len(runs),
            "split_pages_per_s": round(len(runs) / full, 1),
            "cut_pages_per_s": round(len(runs) / cut, 1),
            "refused": refused,
        }
        say(f"{name}: {results[name]}")
    return results


def _paragraphs(page: RawPage) -> list[Para]:
    try:
        return page_paragraphs(page)
    except PermanentError:
        return []
