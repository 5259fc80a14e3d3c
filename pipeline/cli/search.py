"""`wirestream search`: what a journalist would find in Kibana, from the terminal."""

from __future__ import annotations

import click

from pipeline.cli.common import echo_json, settings_of
from pipeline.search import search


@click.command("search")
@click.argument("query")
@click.option("--lang")
@click.option("--site")
@click.option("--kind", type=click.Choice(["article", "teaser"]))
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str,
    lang: str | None,
    site: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the stories (Kibana's query syntax: words, "phrases", AND/OR/NOT, field:value)."""
    hits = search(settings_of(ctx), query, lang=lang, site=site, kind=kind, limit=limit)
    if as_json:
        for hit in hits:
            echo_json(hit, indent=None)
        return
    if not hits:
        click.echo(f"no stories match {query!r}")
    for hit in hits:
        date = (hit.get("published_at") or hit.get("first_seen_at") or "")[:10]
        click.secho(f"{hit.get('title') or '(untitled)'}", bold=True)
        click.echo(f"  {hit['site']} · {hit['lang']} · {hit['kind']} · {date}")
        click.echo(f"  {' '.join(str(hit['snippet']).split())}")
