"""`wirestream search`: what a journalist would find in Kibana, from the terminal."""

from __future__ import annotations

from typing import Any

import click

from pipeline.cli.common import echo_json, settings_of
from pipeline.search import search


@click.command("search")
@click.argument("query")
@click.option("--lang")
@click.option("--site")
@click.option("--kind", type=click.Choice(["article", "teaser"]))
@click.option("--limit", default=10, show_default=True)
@click.option("--all", "every_copy", is_flag=True, help="Every copy of a story, not one hit per cluster.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str,
    lang: str | None,
    site: str | None,
    kind: str | None,
    limit: int,
    every_copy: bool,
    as_json: bool,
) -> None:
    """Search the stories (Kibana's query syntax: words, "phrases", AND/OR/NOT, field:value).

    One hit per story: copies of it on other sites are one cluster, shown as "on N sites: ..."
    (--all shows every copy)."""
    hits = search(
        settings_of(ctx), query, lang=lang, site=site, kind=kind, limit=limit, every_copy=every_copy
    )
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
        cluster = hit.get("cluster")
        if cluster and cluster.get("size", 1) > 1:
            click.echo(f"  {copies(cluster)}")


def copies(cluster: dict[str, Any], shown: int = 5) -> str:
    """'on 7 sites: a, b, c, d, e and 2 more' (and the number of copies when it differs)."""
    sites = list(cluster.get("sites") or [])
    named = ", ".join(sites[:shown]) + (f" and {len(sites) - shown} more" if len(sites) > shown else "")
    line = f"on {len(sites)} site{'s' if len(sites) != 1 else ''}: {named}"
    size = int(cluster.get("size", len(sites)))
    return line + (f" ({size} copies)" if size != len(sites) else "")
