"""`wirestream kibana export|import`: Kibana's saved objects and example rule."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline import kibana as kb
from pipeline import kibana_import as kbi
from pipeline.cli.common import echo_json, settings_of


@click.group()
def kibana() -> None:
    """Kibana's saved objects and example rule (deploy/kibana/)."""


@kibana.command("export")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=kb.DEFAULT_DIR,
    show_default=True,
    help="Where to write (run from a checkout's root, the default is the committed deploy/kibana/).",
)
def kibana_export(directory: Path) -> None:
    """Regenerate deploy/kibana/ from the index template (a test keeps them in step)."""
    for path in kb.export(directory):
        click.echo(f"wrote {path}")


@kibana.command("import")
@click.option("--url", default="http://127.0.0.1:5601", show_default=True, help="Kibana's URL.")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Import these files instead of the built-in ones (saved-objects.ndjson, rule-keyword.json).",
)
@click.pass_context
def kibana_import(ctx: click.Context, url: str, directory: Path | None) -> None:
    """Import the data view, saved searches and dashboard, and create the example keyword rule.

    Authenticates with WIRESTREAM_ELASTICSEARCH_API_KEY, or as WIRESTREAM_ELASTICSEARCH_USERNAME /
    _PASSWORD (Kibana checks either against Elasticsearch); an https Kibana is trusted by
    WIRESTREAM_ELASTICSEARCH_CA_FILE when set (one CA for both). Safe to run again: objects are
    overwritten, the rule is updated. The rule needs Kibana's alerting API, which is off until Kibana
    has an encryption key for saved objects (XPACK_ENCRYPTEDSAVEDOBJECTS_ENCRYPTIONKEY); the error
    says so when it is missing.
    """
    settings = settings_of(ctx)
    password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else None
    api_key = settings.elasticsearch_api_key.get_secret_value() if settings.elasticsearch_api_key else None
    found = kbi.bootstrap(
        url, directory, settings.elasticsearch_username, password, api_key, settings.elasticsearch_ca_file
    )
    echo_json(found, indent=None)
