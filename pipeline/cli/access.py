"""`wirestream access grant|show`: least-privilege principals, ACLs, roles and API keys."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.access.apply import grant
from pipeline.access.grants import components, index_line
from pipeline.cli.common import settings_of


@click.group()
def access() -> None:
    """Each component's own Kafka user, ACLs, Elasticsearch role and API key (least privilege)."""


@access.command("show")
@click.pass_context
def access_show(ctx: click.Context) -> None:
    """What each component may do (nothing is created)."""
    settings = settings_of(ctx)
    for component in components(settings):
        click.secho(f"{component.name}: {component.purpose}", bold=True)
        for line in component.kafka:
            click.echo(f"  kafka {component.kafka_user(settings)}: {line.describe()}")
        for index in (component.es_role or {}).get("indices", []):
            click.echo(f"  elasticsearch {component.role_name(settings)}: {index_line(index)}")


@access.command("grant")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the components' env files (default: <state>/access).",
)
@click.pass_context
def access_grant(ctx: click.Context, out: Path | None) -> None:
    """Create (or rotate) every component's principal and grants, as the configured administrator,
    and write each component's settings to <out>/<component>.env."""
    settings = settings_of(ctx)
    granted = grant(settings, out or settings.state_dir / "access", click.echo)
    for done in granted:
        click.echo(f"{done.component:<11} settings in {done.env_file}")
