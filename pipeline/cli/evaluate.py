"""`wirestream eval split|extract|lang`: quality scores on labelled data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline.cli.common import echo_json, progress_line
from pipeline.cli.split import ENGINE_CHOICE
from pipeline.language.evaluate import evaluate_engines
from pipeline.split import split_page
from pipeline.split.evaluate import evaluate_extraction, evaluate_split
from pipeline.split.extract import extract_html


@click.group("eval")
def eval_group() -> None:
    """Quality scores on labelled data."""


@eval_group.command("split")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every page with a problem.")
def eval_split(directory: Path, verbose: bool) -> None:
    """Score the splitter on labelled pages (NAME.txt|html + NAME.json)."""
    report = evaluate_split(directory, split_page)
    if verbose:
        for page in report.pages:
            if page.problems:
                click.echo(f"{page.name:<40} {page.shape:<24} " + "; ".join(page.problems))
    echo_json(report.summary())


@eval_group.command("extract")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_extract(directory: Path) -> None:
    """Main-text F1 of the HTML path on the article-extraction benchmark folder."""

    def extractor(html: str, url: str) -> str:
        return extract_html(html, url).text

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{done}/{total}", nl=False, err=True)

    result = evaluate_extraction(directory, extractor, progress)
    progress_line("")
    echo_json(result)


@eval_group.command("lang")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--engine", "engines", type=ENGINE_CHOICE, multiple=True, help="Default: every engine.")
@click.option("--misses", is_flag=True, help="List every text an engine got wrong.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of tables.")
def eval_lang(directory: Path, engines: tuple[str, ...], misses: bool, as_json: bool) -> None:
    """Accuracy per language and text length, and texts/s per engine, on a labelled set.

    DIRECTORY holds one folder per language (BCP-47 code) with headline.txt, teaser.txt and
    article.txt, one text per line.
    """
    report = evaluate_engines(directory, engines or None, progress=progress_line)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.render(misses))
