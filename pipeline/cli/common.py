"""What every command module shares: the settings object, JSON output, progress on a terminal."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from pipeline.config import Settings


def settings_of(ctx: click.Context) -> Settings:
    """The settings read once by the `wirestream` group."""
    settings: Settings = ctx.find_root().obj
    return settings


def echo_json(value: Any, indent: int | None = 2) -> None:
    click.echo(json.dumps(value, indent=indent, ensure_ascii=False))


def progress_line(message: str) -> None:
    """A progress line on stderr, only when it is a terminal (logs and pipes stay clean)."""
    if sys.stderr.isatty():
        click.echo(message, err=True)


def counts(text: str) -> tuple[int, ...]:
    """'10,100,1000' -> (10, 100, 1000)."""
    return tuple(int(part) for part in text.split(",") if part.strip())
