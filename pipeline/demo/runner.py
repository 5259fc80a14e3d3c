"""`wirestream demo`: the whole path on real parts, with the bundled sample pages.

stack up (unless Kafka and Elasticsearch already answer) -> init -> publish the sample pages ->
a worker until every story is indexed -> a few searches -> what to try next. The stack is left
running so the searches can go on; `wirestream stack down` stops it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from pipeline.bootstrap import init
from pipeline.config import Settings
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.search import search
from pipeline.split import split_page
from pipeline.stack import probes
from pipeline.stack import services as local
from pipeline.tools.worker_process import running_worker, wait_until_indexed

#: The bundled pages (package data), found the way an installed wheel finds them.
PAGES_DIR: Traversable = files("pipeline.demo") / "pages"


@dataclass(frozen=True)
class SamplePage:
    page: RawPage
    searches: list[str]


def sample_pages(directory: Traversable = PAGES_DIR) -> list[SamplePage]:
    manifest = json.loads((directory / "manifest.json").read_text())
    pages = []
    for entry in manifest:
        content_type = "text/html" if entry["format"] == "html" else "text/plain"
        page = RawPage(
            url=entry["url"],
            canonical_url=entry["url"],
            site=entry["site"],
            content_type=content_type,
            body=(directory / entry["file"]).read_text(encoding="utf-8"),
            language_hint=entry.get("lang"),
        )
        pages.append(
            SamplePage(page, list(entry.get("searches", [])) + list(entry.get("teaser_keywords", [])))
        )
    return pages


def ensure_services(settings: Settings, say: Callable[[str], None]) -> Settings:
    if probes.services_answer(settings):
        say(f"using Kafka {settings.kafka_bootstrap_servers}, Elasticsearch {settings.elasticsearch_url}")
        return settings
    say("starting the local stack (the first run downloads Kafka and Elasticsearch with Maven) ...")
    local.up(settings, lambda line: say("  " + line))
    return local.loopback_settings(settings)


def run(settings: Settings, say: Callable[[str], None], timeout: float = 180.0) -> dict[str, Any]:
    t0 = time.monotonic()
    settings = ensure_services(settings, say)
    init(settings)
    samples = sample_pages()
    expected = [story.id for sample in samples for story in split_page(sample.page)]
    say(f"publishing {len(samples)} sample pages ({len(expected)} stories expected) ...")
    publish_pages(settings, [s.page for s in samples])

    log_path = settings.state_dir / "logs" / "demo-worker.log"
    say(f"running a worker until every story is indexed (its log: {log_path}) ...")
    with running_worker(settings, log_path) as worker:
        wait_until_indexed(settings, expected, worker, timeout)
    elapsed = time.monotonic() - t0
    say(f"all {len(expected)} stories indexed; {elapsed:.0f} s since the start\n")

    queries = [s.searches[0] for s in samples if s.searches][:8]  # one per page: several languages
    for query in queries:
        hits = search(settings, query, limit=3)
        say(f'search "{query}": {len(hits)} hit(s)')
        for hit in hits:
            say(f"   [{hit['lang']}/{hit['kind']}] {hit.get('title') or '(untitled)'} ({hit['site']})")
            say(f"      {' '.join(str(hit['snippet']).split())[:150]}")
    say(
        "\nnext:\n"
        '  wirestream search "Zelensky" --kind teaser    Kibana syntax: words, "phrases", AND/OR/NOT\n'
        "  wirestream search 'lang:tr AND deprem*'\n"
        "  wirestream publish --site mysite page.html    your own pages (the worker: wirestream worker)\n"
        "  wirestream stack status | logs | down\n"
    )
    return {"pages": len(samples), "stories": len(expected), "seconds": round(elapsed, 1)}
