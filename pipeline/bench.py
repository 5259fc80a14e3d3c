"""`wirestream bench pipeline`: pages/s and stories/s through one worker, on the real stack.

Publishes N copies of the bundled sample pages (each under its own URL) to fresh topics, starts one
worker, and times from the worker's start until every expected story is searchable. Topics and the
index are the benchmark's own and are deleted afterwards.
"""

from __future__ import annotations

import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services, sample_pages
from pipeline.errors import PermanentError
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.split import split_page
from pipeline.worker_process import running_worker, wait_until_indexed


def sample_copies(count: int) -> list[RawPage]:
    samples = [s.page for s in sample_pages()]
    pages = []
    for i in range(count):
        base = samples[i % len(samples)]
        url = f"{base.canonical_url.rstrip('/')}/bench-{i}"
        pages.append(base.model_copy(update={"url": url, "canonical_url": url}))
    return pages


def pipeline_throughput(
    settings: Settings, pages: int, say: Callable[[str], None], timeout: float = 900.0
) -> dict[str, Any]:
    settings = ensure_services(settings, say)
    tag = "bench" + uuid.uuid4().hex[:6]
    settings = scoped(settings, tag)
    init(settings)
    batch = sample_copies(pages)
    ids = sorted({story.id for page in batch for story in split_page(page)})
    say(f"publishing {len(batch)} pages ({len(ids)} stories) to {tag}.pages.v1 ...")
    publish_pages(settings, batch)
    log_path = settings.state_dir / "logs" / f"{tag}-worker.log"

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
    finally:
        teardown(settings)
    return {
        "pages": len(batch),
        "stories": len(ids),
        "seconds": round(elapsed, 2),
        "pages_per_s": round(len(batch) / elapsed, 1),
        "stories_per_s": round(len(ids) / elapsed, 1),
        "note": "one worker, from its start (incl. consumer-group join) until every story is searchable",
    }


def split_throughput(pages: int, say: Callable[[str], None], html_dir: Path | None = None) -> dict[str, Any]:
    """Pages/s on one core for the text path and the HTML path of the split stage (pure code, no Kafka).

    "split" is the whole stage core (extraction, paragraphs, segmentation, language, ids); "cut" is
    extraction, paragraphs and segmentation: the splitting alone, without language identification.
    """
    from pipeline.split import split
    from pipeline.split.segment import segment

    samples = [s.page for s in sample_pages()]
    text_pages = [p for p in samples if p.content_type == "text/plain"]
    html_pages = [p for p in samples if p.content_type == "text/html"]
    if html_dir is not None and (html_dir / "html").is_dir():
        import gzip

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


def _paragraphs(page: RawPage) -> list[Any]:
    from pipeline.split import page_paragraphs

    try:
        return page_paragraphs(page)[0]
    except PermanentError:
        return []


def scrape_throughput(
    settings: Settings, pages_per_host: int, hosts: int, say: Callable[[str], None]
) -> dict[str, Any]:
    """Pages/s of one `scrape --once` round against the synthetic site (loopback, one process per
    side), published to the benchmark's own topics, and the scraper's peak memory."""
    import asyncio
    import resource
    import subprocess
    import tempfile

    from pipeline.scrape.service import scrape

    settings = ensure_services(settings, say)
    settings = scoped(settings, "bench" + uuid.uuid4().hex[:8])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.scrape.benchsite",
            "--pages",
            str(pages_per_host),
            "--hosts",
            str(hosts),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        names = [f"127.0.0.{i + 1}:{port}" for i in range(hosts)]
        settings = settings.model_copy(update={"scrape_allow_hosts": ",".join(names)})
        with tempfile.TemporaryDirectory() as tmp:
            sources = Path(tmp) / "sources.yaml"
            sites = "".join(
                f"  - name: bench-{i}\n    feeds: ['http://{name}/feed.xml']\n"
                for i, name in enumerate(names)
            )
            sources.write_text(f"defaults:\n  min_interval_seconds: 0\nsites:\n{sites}", encoding="utf-8")
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            say(f"scraping {pages_per_host * hosts} pages from {hosts} loopback hosts ...")
            started = time.perf_counter()
            summaries = asyncio.run(scrape(settings, sources, once=True, links=False))
            elapsed = time.perf_counter() - started
        published = sum(s.counts["published"] for s in summaries)
        failed = sum(s.counts["failed"] for s in summaries)
        return {
            "hosts": hosts,
            "pages": published,
            "failed": failed,
            "seconds": round(elapsed, 1),
            "pages_per_s": round(published / elapsed, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_before_mb": round(rss_before / 1024, 1),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
        teardown(settings)
