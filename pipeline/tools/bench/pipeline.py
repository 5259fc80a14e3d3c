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
from typing import Any

from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services, sample_pages
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.split import split_page
from pipeline.tools.worker_process import running_worker, wait_until_indexed


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
