"""`wirestream eval split|extract|lang|pages|clusters`: quality scores on labelled data."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline.cli.common import echo_json, progress_line
from pipeline.cli.split import ENGINE_CHOICE
from pipeline.cluster.evaluate import evaluate_clusters
from pipeline.language.evaluate import evaluate_engines
from pipeline.split import split, split_page
from pipeline.split.evaluate import evaluate_extraction, evaluate_split
from pipeline.split.evaluate_pages import (
    by_language_group,
    load_labels,
    load_pages,
    read_publishers,
    score_labels,
    score_page,
    summarise,
    summarise_labels,
)
from pipeline.split.extract import extract_html, trafilatura_text


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


@eval_group.command("pages")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--publishers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Only these publishers (a file of country/Publisher lines).",
)
@click.option(
    "--labels",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Labelled related-story blocks (tests/data/real-teasers): teaser precision and recall.",
)
@click.option("-v", "--verbose", is_flag=True, help="A line per page: scores and problems.")
def eval_pages(directory: Path, publishers: Path | None, labels: Path | None, verbose: bool) -> None:
    """The article and teasers on real publisher pages (Fundus's parser test data format), side by
    side with plain trafilatura on the same pages."""
    chosen = read_publishers(publishers)
    scores = []
    labelled = load_labels(labels) if labels else {}
    teaser_scores = []
    for page in load_pages(directory, chosen):
        scores.append(score_page(page, split_page, trafilatura_text))
        if page.name in labelled:
            teaser_scores.append(score_labels(page, labelled[page.name], split))
        progress_line(f"{len(scores)} pages")
        if verbose:
            score = scores[-1]
            click.echo(
                f"{score.name:<48} {score.lang:<3} f1 {score.f1:.3f} (trafilatura {score.baseline_f1:.3f}) "
                f"leak {score.leakage:.2f} teasers {score.teasers} {'; '.join(score.problems)[:160]}"
            )
    report = {"all": summarise(scores), "by_language": by_language_group(scores)}
    if labelled:
        report["labelled_teasers"] = summarise_labels(teaser_scores)
    echo_json(report)


@eval_group.command("clusters")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--days", type=float, default=3.0, show_default=True, help="Age horizon of a cluster.")
@click.option("--batch", type=int, default=50, show_default=True, help="Stories per batch, as in the stream.")
@click.option("-v", "--verbose", is_flag=True, help="List every story put in the wrong cluster.")
def eval_clusters(directory: Path, days: float, batch: int, verbose: bool) -> None:
    """Pairwise precision and recall of the story clusters on a labelled set (tests/data/clusters),
    through the worker's clusterer with its state in memory, and what it cost."""
    report = evaluate_clusters(directory, days, batch)
    wrong = report.pop("wrong")
    if verbose:
        for line in wrong:
            click.echo(line)
    echo_json(report)
