"""`wirestream alerts add|list|show|rm|fired|test|redeliver`: keyword alert rules."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from pipeline.alerts import store
from pipeline.alerts.redeliver import redeliver
from pipeline.alerts.rulebook import RuleBook
from pipeline.alerts.rules import rule_from_options
from pipeline.alerts.stats import AlertStats
from pipeline.cli.common import echo_json, settings_of
from pipeline.messages import Alert, DeadLetter, utcnow
from pipeline.publish import publish_raw
from pipeline.topics import TopicNames


@click.group()
def alerts() -> None:
    """Keyword alert rules (Kibana's query syntax), kept in Elasticsearch beside the stories."""


@alerts.command("add")
@click.argument("name")
@click.option("--query", "-q", required=True, help='Lucene syntax, as in Kibana: Zelensky AND "Mali"')
@click.option("--lang", "languages", multiple=True, help="Only stories in this language (repeatable).")
@click.option("--site", "sites", multiple=True, help="Only stories from this site (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["article", "teaser"]))
@click.option("--owner", default=None)
@click.option("--webhook", default=None, help="Notify this URL (JSON POST).")
@click.option("--secret", default=None, help="Sign webhook calls with this shared secret (HMAC-SHA256).")
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the shared secret from this file (keeps it out of the shell history and `ps`).",
)
@click.pass_context
def alerts_add(
    ctx: click.Context,
    name: str,
    query: str,
    languages: tuple[str, ...],
    sites: tuple[str, ...],
    kinds: tuple[str, ...],
    owner: str | None,
    webhook: str | None,
    secret: str | None,
    secret_file: Path | None,
) -> None:
    """Add (or replace) a rule; a query that does not parse is refused with the parser's message."""
    if secret_file is not None:
        secret = secret_file.read_text().strip()
    rule = rule_from_options(name, query, languages, sites, kinds, owner, webhook, secret)
    store.add_rule(settings_of(ctx), rule)
    click.echo(f"rule {name!r} saved")


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def alerts_list(ctx: click.Context, as_json: bool) -> None:
    """Every rule."""
    for rule in store.list_rules(settings_of(ctx)):
        if as_json:
            click.echo(rule.model_dump_json(exclude={"targets"}))
        else:
            filters = " ".join(f"{k}={','.join(v)}" for k, v in rule.filters().items() if v)
            click.echo(f"{rule.name:<24} {rule.query}  {filters}")


@alerts.command("show")
@click.argument("name")
@click.pass_context
def alerts_show(ctx: click.Context, name: str) -> None:
    """One rule, in full (webhook secrets hidden)."""
    echo_json(store.get_rule(settings_of(ctx), name).shown())


@alerts.command("rm")
@click.argument("name")
@click.pass_context
def alerts_rm(ctx: click.Context, name: str) -> None:
    """Delete a rule."""
    store.remove_rule(settings_of(ctx), name)
    click.echo(f"rule {name!r} removed")


@alerts.command("fired")
@click.option("--rule", default=None, help="Only this rule's alerts.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def alerts_fired(ctx: click.Context, rule: str | None, limit: int, as_json: bool) -> None:
    """The latest alerts fired, newest first, and whether their notifications were delivered."""
    found = store.fired(settings_of(ctx), rule, limit)
    if not found and not as_json:
        click.echo("no alert fired yet")
    for alert in found:
        if as_json:
            click.echo(json.dumps(alert, ensure_ascii=False))
            continue
        delivery = alert.get("delivery") or "pending"
        click.echo(
            f"{alert['fired_at'][:19]}  {alert['rule']:<20} {alert['kind']:<8} {alert['lang']:<4} "
            f"{delivery:<9} {(alert.get('title') or alert.get('snippet', ''))[:60]}"
        )
        if alert.get("delivery_error"):
            click.echo(f"  {alert['delivery_error']}")


@alerts.command("test")
@click.argument("name")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def alerts_test(ctx: click.Context, name: str, limit: int) -> None:
    """What the rule would have fired on among the stories already indexed."""
    settings = settings_of(ctx)
    hits = store.dry_run(settings, store.get_rule(settings, name), limit)
    if not hits:
        click.echo("no story matches")
    for hit in hits:
        click.echo(f"{hit['kind']:<8} {hit['lang']:<4} {hit['site']:<16} {(hit.get('title') or '')[:70]}")
        click.echo(f"  {' '.join(str(hit['snippet']).split())}")


SINCE_UNITS = {"m": 60, "h": 3600, "d": 86400}


def parse_since(value: str | None) -> datetime | None:
    """``--since``: an ISO date or time ("2026-12-05", "2026-12-05T14:00Z") or an age ("30m", "6h", "2d")."""
    if value is None:
        return None
    text = value.strip()
    if text[:-1].isdigit() and text[-1:] in SINCE_UNITS:
        return utcnow() - timedelta(seconds=int(text[:-1]) * SINCE_UNITS[text[-1]])
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: give an ISO date or time, or an age such as 30m, 6h, 2d"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@alerts.command("redeliver")
@click.option("--rule", default=None, help="Only this rule's alerts.")
@click.option(
    "--since", default=None, help="Only alerts fired since then: an ISO date or time, or 30m, 6h, 2d."
)
@click.pass_context
def alerts_redeliver(ctx: click.Context, rule: str | None, since: str | None) -> None:
    """Send now every notification that failed or waits for a later round (only to the webhooks
    still owed it). Safe beside running workers: each alert is claimed before it is sent."""
    settings = settings_of(ctx)
    letters: list[tuple[bytes | None, bytes]] = []

    async def give_up(alert: Alert, why: str) -> None:
        letter = DeadLetter(
            stage="notify",
            reason=why,
            error_type="DeliveryFailed",
            original=alert.to_bytes(),
            original_key=alert.id.encode(),
            topic=TopicNames.from_settings(settings).alerts,
        )
        letters.append((alert.id.encode(), letter.to_bytes()))

    report = asyncio.run(
        redeliver(
            settings,
            RuleBook(settings.index_alias, AlertStats()),
            AlertStats(),
            give_up,
            every_failed=True,
            rule=rule,
            since=parse_since(since),
        )
    )
    if letters:
        publish_raw(settings, TopicNames.from_settings(settings).deadletter, letters)
    click.echo(
        f"{report.due} owed: {report.delivered} delivered, {report.retrying} to be tried again later, "
        f"{report.failed} failed, {report.claimed_elsewhere} being sent by a worker"
    )
    for error in report.errors:
        click.echo(f"  {error}")
    if report.failed or report.retrying:
        ctx.exit(1)
