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
@click.option(
    "--secure",
    is_flag=True,
    help="Secured: Kafka on SASL_SSL (SCRAM-SHA-512, ACLs), Elasticsearch on HTTPS with security on; "
    "certificates and an administrator made in the state folder, which stays secured from then on.",
)
@click.pass_context
def stack_up(ctx: click.Context, secure: bool) -> None:
    """Fetch (once) and start Kafka and Elasticsearch; wait until both answer."""
    settings = settings_of(ctx)
    if secure:
        local.set_up_secure(settings)
    timings = local.up(settings, click.echo)
    click.echo(f"stack ready in {timings['total']:.1f} s")
    if local.is_secure(settings):
        env = local.secure_files(settings).admin_env
        click.echo(f"secured: the administrator's settings are in {env} (`set -a; . {env}; set +a`);")
        click.echo("components get their own principals from `wirestream access grant`")


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
