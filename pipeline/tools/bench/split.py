"""`wirestream bench split`: pages/s per core of the split stage's text and HTML paths (pure code)."""

from __future__ import annotations

import contextlib
import gzip
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pipeline.demo.runner import sample_pages
from pipeline.errors import PermanentError
from pipeline.language import engines as language_engines
from pipeline.messages import RawPage
from pipeline.split import clear_caches, page_paragraphs, split
from pipeline.split.evaluate_pages import PAGE_NAME
from pipeline.split.extract import trafilatura_text
from pipeline.split.paragraphs import Para
from pipeline.split.segment import segment


def html_pages(html_dir: Path | None, publishers: set[str] | None = None) -> list[RawPage]:
    """The sample pages, or every ``*.html.gz`` of a folder (the article-extraction benchmark's
    ``html/``, or Fundus's test data: ``<country>/<Publisher>_<date>.html.gz``, only the
    ``publishers`` given as ``country/Publisher`` when they are)."""
    if html_dir is None:
        return [s.page for s in sample_pages() if s.page.content_type == "text/html"]
    files = sorted((html_dir / "html").glob("*.html.gz")) or sorted(html_dir.glob("*/*.html.gz"))
    if publishers is not None:
        files = [f for f in files if _publisher(f) in publishers]
    if not files:
        raise click.UsageError(f"no *.html.gz pages of the chosen publishers under {html_dir}")
    return [
        RawPage(
            url=f"https://bench.example/{f.name}",
            canonical_url=f"https://bench.example/{f.name}",
            site="bench",
            content_type="text/html",
            body=gzip.decompress(f.read_bytes()).decode("utf-8", "replace"),
        )
        for f in files
    ]


def _publisher(page: Path) -> str:
    """``country/Publisher`` of a Fundus test page (``<country>/<Publisher>_<date>.html.gz``)."""
    named = PAGE_NAME.match(page.name)
    return f"{page.parent.name}/{named['publisher']}" if named else ""


def split_throughput(
    pages: int,
    say: Callable[[str], None],
    html_dir: Path | None = None,
    publishers: set[str] | None = None,
) -> dict[str, Any]:
    """Pages/s on one core for the text path and the HTML path of the split stage (pure code, no Kafka).

    Text: "split" is the whole stage core (paragraphs, segmentation, language, ids), "cut" the
    segmentation alone. HTML: the whole stage core (one parse, extraction, cards, language, ids)
    side by side with plain ``trafilatura.extract`` on the same pages, alternating page by page so
    that the machine's speed changes hit both alike.
    """
    text_pages = [s.page for s in sample_pages() if s.page.content_type == "text/plain"]
    runs = [text_pages[i % len(text_pages)] for i in range(pages)]
    split_s = _timed(runs, _split_or_refuse)
    cut_s = _timed(runs, lambda page: segment(_paragraphs(page)))
    results: dict[str, Any] = {
        "text": {
            "pages": len(runs),
            "split_pages_per_s": round(len(runs) / split_s, 1),
            "cut_pages_per_s": round(len(runs) / cut_s, 1),
        }
    }
    say(f"text: {results['text']}")
    group = html_pages(html_dir, publishers)
    runs = [group[i % len(group)] for i in range(min(pages, 4 * len(group)))]
    language_engines.warm_up()  # untimed, as a worker does at start
    _split_or_refuse(group[0])
    trafilatura_text(group[0].body, group[0].canonical_url)
    ours = theirs = 0.0
    for page in runs:
        clear_caches()  # a page seen before must not come cheaper: each run is a first sight
        ours += _timed([page], _split_or_refuse)
        theirs += _timed([page], lambda p: trafilatura_text(p.body, p.canonical_url))
    results["html"] = {
        "pages": len(runs),
        "split_pages_per_s": round(len(runs) / ours, 1),
        "trafilatura_extract_pages_per_s": round(len(runs) / theirs, 1),
        "split_vs_trafilatura": round(theirs / ours, 2),
    }
    say(f"html: {results['html']}")
    return results


def _split_or_refuse(page: RawPage) -> None:
    with contextlib.suppress(PermanentError):  # a page with no text is dead-lettered: it counts
        split(page)


def _timed(pages: list[RawPage], work: Callable[[RawPage], object]) -> float:
    t0 = time.perf_counter()
    for page in pages:
        work(page)
    return time.perf_counter() - t0


def _paragraphs(page: RawPage) -> list[Para]:
    try:
        return page_paragraphs(page)
    except PermanentError:
        return []
