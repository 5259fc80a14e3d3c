"""`wirestream publish`, `wirestream worker`, `wirestream demo`: pages in, the stream processors, the demo."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.app import run_worker
from pipeline.bootstrap import init
from pipeline.cli.common import settings_of
from pipeline.demo.runner import run as run_demo
from pipeline.pages import page_from_file
from pipeline.publish import publish_pages
from pipeline.topics import TopicNames


@click.command("publish")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--site", help="Site name (default: local).")
@click.option("--url", help="Page URL (default: the file's file:// URL); only with one FILE.")
@click.option("--html", "content_type", flag_value="text/html", help="The files are HTML.")
@click.option("--text", "content_type", flag_value="text/plain", help="The files are extracted text.")
@click.option("--lang", "language_hint", help="Language hint for the site.")
@click.pass_context
def publish_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    site: str | None,
    url: str | None,
    content_type: str | None,
    language_hint: str | None,
) -> None:
    """Publish local pages to the pages topic (backfill, replays, tests)."""
    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one FILE with it")
    settings = settings_of(ctx)
    count = publish_pages(
        settings, [page_from_file(f, site, url, content_type, language_hint) for f in files]
    )
    click.echo(f"published {count} page(s) to {TopicNames.from_settings(settings).pages}")


@click.command("worker")
@click.option("--no-init", is_flag=True, help="Do not create missing topics/index before starting.")
@click.pass_context
def worker_cmd(ctx: click.Context, no_init: bool) -> None:
    """Run the stream processors (split, index, alerts, notify) until stopped."""
    settings = settings_of(ctx)
    if not no_init:
        init(settings, timeout=settings.stack_start_timeout)
    run_worker(settings)


@click.command("demo")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for every story.")
@click.pass_context
def demo_cmd(ctx: click.Context, timeout: float) -> None:
    """Stack up, publish the bundled sample pages, index them, show searches."""
    run_demo(settings_of(ctx), click.echo, timeout=timeout)
