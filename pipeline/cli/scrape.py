"""`wirestream scrape`: discover and fetch news pages, publish them to the pages topic."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import click
from prometheus_client import start_http_server

from pipeline.cli.common import settings_of
from pipeline.errors import UserError
from pipeline.observability.metrics import REGISTRY
from pipeline.scrape.runner import OUTCOMES, Summary
from pipeline.scrape.service import scrape


@click.command("scrape")
@click.option(
    "--sources",
    "sources",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The sources file (YAML; format in the README, schema in schemas/sources.schema.json).",
)
@click.option("--once", is_flag=True, help="One discovery-and-fetch round, a summary per site, then exit.")
@click.option("--site", default=None, help="Only this site of the sources file.")
@click.option(
    "--no-links", is_flag=True, help="Do not fetch the headline-only teaser links the worker found."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON lines.")
@click.pass_context
def scrape_cmd(
    ctx: click.Context, sources: Path, once: bool, site: str | None, no_links: bool, as_json: bool
) -> None:
    """Discover and fetch news pages politely and safely; publish them to the pages topic.

    Without --once it polls each site on its interval until SIGINT/SIGTERM, then flushes what is in
    flight, and serves Prometheus metrics on WIRESTREAM_SCRAPE_METRICS_PORT (0: none). Exit status
    with --once: 0, or 1 when a site had failures (refusals are not failures).
    """
    settings = settings_of(ctx)
    if not once and settings.scrape_metrics_port:
        serve_metrics(settings.scrape_metrics_port)
    table = sys.stdout.isatty() and not as_json
    summaries = asyncio.run(
        scrape(
            settings,
            sources,
            once=once,
            site=site,
            links=not no_links,
            report=lambda summary: _report(summary, table),
            progress=_progress,
        )
    )
    if once and any(s.counts["failed"] for s in summaries):
        sys.exit(1)


def _progress(site_name: str, done: int, total: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"\r{site_name}: {done}/{total} pages", nl=False, err=True)


def _report(summary: Summary, table: bool) -> None:
    if sys.stderr.isatty():
        click.echo("\r\033[K", nl=False, err=True)
    if table:
        counts = "  ".join(f"{k} {summary.counts[k]}" for k in OUTCOMES)
        click.echo(f"{summary.site:<24} {counts}")
        for problem in summary.problems[:10]:
            click.echo(f"  ! {problem}")
    else:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))


def serve_metrics(port: int) -> None:
    """Prometheus metrics at http://0.0.0.0:PORT/metrics, in a thread of this process."""
    try:
        start_http_server(port, addr="0.0.0.0", registry=REGISTRY)  # noqa: S104 - scraped from outside
    except OSError as exc:
        raise UserError(
            f"cannot serve metrics on port {port} (WIRESTREAM_SCRAPE_METRICS_PORT): {exc}"
        ) from exc
