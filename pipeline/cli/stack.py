"""`wirestream stack up|down|status|logs`: the local Kafka + Elasticsearch."""

from __future__ import annotations

import json

import click

from pipeline import stack as local
from pipeline.cli.common import settings_of


@click.group()
def stack() -> None:
    """The local Kafka + Elasticsearch (fetched with Maven, run on loopback)."""


@stack.command("up")
@click.pass_context
def stack_up(ctx: click.Context) -> None:
    """Fetch (once) and start Kafka and Elasticsearch; wait until both answer."""
    timings = local.up(settings_of(ctx), click.echo)
    click.echo(f"stack ready in {timings['total']:.1f} s")


@stack.command("down")
@click.pass_context
def stack_down(ctx: click.Context) -> None:
    """Stop exactly the processes `stack up` started."""
    local.down(settings_of(ctx), click.echo)


@stack.command("status")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: state, version, port, pid per service."
)
@click.pass_context
def stack_status(ctx: click.Context, as_json: bool) -> None:
    """Is each service running, and does it answer? Exit 0 only when all are running."""
    statuses = [svc.status() for svc in local.local_services(settings_of(ctx))]
    if as_json:
        click.echo(json.dumps({s.name: s.as_dict() for s in statuses}, indent=2))
    else:
        for s in statuses:
            pid = f"pid {s.pid}" if s.pid else ""
            click.echo(f"{s.name:<13} {s.state:<9} {s.address:<16} {s.version or '':<8} {pid}")
    ctx.exit(0 if all(s.state == "running" for s in statuses) else 1)


@stack.command("logs")
@click.argument("service", required=False, type=click.Choice(["kafka", "elasticsearch"]))
@click.option("-n", "--lines", default=40, show_default=True, help="How many lines from the end.")
@click.pass_context
def stack_logs(ctx: click.Context, service: str | None, lines: int) -> None:
    """Show the tail of a service's log (both when no SERVICE is given)."""
    for svc in local.local_services(settings_of(ctx)):
        if service in (None, svc.name):
            click.secho(f"==> {svc.log_path} <==", bold=True)
            click.echo(svc.log_tail(lines))
