"""`wirestream bench scrape`: pages/s and peak memory of one scrape round against the synthetic site."""

from __future__ import annotations

import asyncio
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.bootstrap import scoped, teardown
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services
from pipeline.scrape.service import scrape


def scrape_throughput(
    settings: Settings, pages_per_host: int, hosts: int, say: Callable[[str], None]
) -> dict[str, Any]:
    """Pages/s of one `scrape --once` round against the synthetic site (loopback, one process per
    side), published to the benchmark's own topics, and the scraper's peak memory."""
    settings = ensure_services(settings, say)
    settings = scoped(settings, "bench" + uuid.uuid4().hex[:8])
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.tools.newsite",
            "--synthetic",
            str(pages_per_host),
            "--hosts",
            str(hosts),
            "--ready-line",
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
                f"  - name: bench-{i}\n    feeds: ['http://{name}/synthetic/feed.xml']\n"
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
