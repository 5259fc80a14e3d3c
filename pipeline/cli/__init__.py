"""The `wirestream` command: one group, a module per command group.

Each command parses its options, calls a library function and prints; the work is in the library.
Errors a user can fix (UserError, PermanentError) end with a one-line message and exit code 2; an
unreachable Kafka with exit code 3; credentials Kafka or Elasticsearch refuse with 4; a TLS handshake
that fails (an untrusted certificate) with 5; anything else is a bug and shows its traceback.
"""

from __future__ import annotations

import importlib
import sys

import click
from kafka.errors import KafkaTimeoutError

from pipeline.config import get_settings
from pipeline.errors import PermanentError, UserError
from pipeline.observability import logging as logs

#: Command name -> "module:attribute". A command's module is imported only when it runs (or for
#: --help), so `wirestream split` does not load the Elasticsearch client, and so on.
COMMANDS = {
    "stack": "pipeline.cli.stack:stack",
    "init": "pipeline.cli.setup:init_cmd",
    "health": "pipeline.cli.setup:health_cmd",
    "schemas": "pipeline.cli.setup:schemas",
    "publish": "pipeline.cli.stream:publish_cmd",
    "worker": "pipeline.cli.stream:worker_cmd",
    "demo": "pipeline.cli.stream:demo_cmd",
    "search": "pipeline.cli.search:search_cmd",
    "split": "pipeline.cli.split:split_cmd",
    "detect-lang": "pipeline.cli.split:detect_lang",
    "eval": "pipeline.cli.evaluate:eval_group",
    "bench": "pipeline.cli.bench:bench",
    "kibana": "pipeline.cli.kibana:kibana",
    "scrape": "pipeline.cli.scrape:scrape_cmd",
    "alerts": "pipeline.cli.alerts:alerts",
    "access": "pipeline.cli.access:access",
}


class LazyGroup(click.Group):
    """A group whose commands live in the modules named by :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wirestream")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Wirestream: streaming news ingest (scrape -> Kafka -> split -> Elasticsearch -> alerts).

    Every setting is an environment variable with the prefix WIRESTREAM_ (see the README).
    """
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format, settings.log_repeat_seconds)
    ctx.obj = settings


def run_cli() -> None:
    """Entry point: clear messages and exit codes instead of tracebacks for what a user can fix."""
    try:
        code = main(standalone_mode=False)  # the exit code of ctx.exit(), when a command calls it
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (UserError, PermanentError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(getattr(exc, "exit_code", 2))
    except KafkaTimeoutError as exc:
        if "bootstrap" not in str(exc).lower():  # kafka-python's "no broker answered"
            raise
        servers = get_settings().kafka_bootstrap_servers
        click.secho(
            f"error: cannot reach Kafka at {servers} ({exc}); is it running? "
            "(`wirestream stack up` starts a local one; WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS points elsewhere)",
            fg="red",
            err=True,
        )
        sys.exit(3)
    if isinstance(code, int) and code:
        sys.exit(code)
