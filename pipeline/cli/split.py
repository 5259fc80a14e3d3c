"""`wirestream split` and `wirestream detect-lang`: the pure core, by hand, on local files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline.cli.common import settings_of
from pipeline.errors import PermanentError
from pipeline.language import ENGINES, detect
from pipeline.pages import page_from_file, page_from_text
from pipeline.split import SplitResult, split_many

ENGINE_CHOICE = click.Choice(list(ENGINES))


@click.command("split")
@click.argument("files", nargs=-1, required=True)
@click.option("--url", help="Page URL (default: the file's file:// URL); only with one FILE.")
@click.option("--site", help="Site name (default: local). Several pages of one site share site memory.")
@click.option("--html", "content_type", flag_value="text/html", help="The input is HTML.")
@click.option("--text", "content_type", flag_value="text/plain", help="The input is extracted text.")
@click.option(
    "--explain", is_flag=True, help="Show, paragraph by paragraph, what was kept, split or dropped and why."
)
@click.pass_context
def split_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    url: str | None,
    site: str | None,
    content_type: str | None,
    explain: bool,
) -> None:
    """Cut pages into stories; print them as JSON lines (FILE may be - for stdin).

    Same code path as the worker. With several FILEs of one site, paragraphs the site repeats
    across them (legal notices, footers, rotating teasers) are recognised, as in the worker.
    """
    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one FILE with it")
    pages = [
        page_from_text(sys.stdin.read(), url, site, content_type)
        if name == "-"
        else page_from_file(Path(name), site, url, content_type)
        for name in files
    ]
    failed = 0
    for page, result in split_many(pages, settings_of(ctx).language_engine):
        if isinstance(result, PermanentError):
            click.secho(f"error: {page.canonical_url}: {result}", fg="red", err=True)
            failed += 1
            continue
        if explain:
            click.secho(f"# {page.canonical_url}", bold=True)
            _explain(result)
        for found in result.stories:
            click.echo(found.model_dump_json(exclude={"schema_version"}))
        for link in result.links:
            line = {"kind": "link", "title": link.title, "url": link.url, "page_url": page.canonical_url}
            click.echo(json.dumps(line, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _explain(result: SplitResult) -> None:
    for d in result.decisions:
        story = f"story {d.story}" if d.story is not None else "-"
        click.echo(f"{d.index:>3} {d.verdict:<13} {story:<8} {d.reason}\n      {d.text[:110]}")


@click.command("detect-lang")
@click.option("--engine", type=ENGINE_CHOICE, default=None, help="Default: the configured engine.")
@click.option("--hint", default=None, help="A language to prefer in close calls (the site's language).")
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8", errors="replace"))
@click.pass_context
def detect_lang(
    ctx: click.Context, engine: str | None, hint: str | None, files: tuple[click.utils.LazyFile, ...]
) -> None:
    """The language of each line of FILES (stdin by default), one JSON object per line."""
    chosen = engine or settings_of(ctx).language_engine
    for stream in files or (click.get_text_stream("stdin", errors="replace"),):
        for line in stream:
            text = line.rstrip("\n")
            lang, confidence = detect(text, chosen, hint)
            click.echo(json.dumps({"lang": lang, "confidence": confidence, "chars": len(text)}))
