"""`wirestream init`, `wirestream health`, `wirestream schemas export`: contracts and readiness."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import schemas as contract
from pipeline.bootstrap import init
from pipeline.cli.common import echo_json, settings_of
from pipeline.stack import probes


@click.command("init")
@click.option(
    "--timeout", default=120.0, show_default=True, help="Seconds to wait for Kafka and Elasticsearch."
)
@click.pass_context
def init_cmd(ctx: click.Context, timeout: float) -> None:
    """Create the topics, the index template and the alias (safe to run again)."""
    echo_json(init(settings_of(ctx), timeout=timeout))


@click.command("health")
@click.pass_context
def health_cmd(ctx: click.Context) -> None:
    """Exit 0 when Kafka and Elasticsearch answer (container health checks)."""
    answers = probes.health(settings_of(ctx))
    echo_json(answers, indent=None)
    ctx.exit(0 if all(answers.values()) else 1)


@click.group()
def schemas() -> None:
    """The message schemas and the index template in schemas/."""


@schemas.command("export")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=contract.DEFAULT_DIR,
    show_default=True,
    help="Where to write (run from a checkout's root, the default is the committed schemas/).",
)
def schemas_export(directory: Path) -> None:
    """Regenerate schemas/ from the message models and the index template."""
    for path in contract.export(directory):
        click.echo(f"wrote {path}")
