"""`wirestream bench pipeline|split|scrape|alerts|lang`: figures for the README (never asserted by tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.cli.common import counts, echo_json, progress_line, settings_of
from pipeline.cli.split import ENGINE_CHOICE
from pipeline.language.evaluate import engine_throughput
from pipeline.split.evaluate_pages import read_publishers
from pipeline.tools.bench.alerts import alerts_bench
from pipeline.tools.bench.faults import SCENARIOS, faults_bench
from pipeline.tools.bench.pipeline import cluster_cost, pipeline_throughput
from pipeline.tools.bench.scrape import scrape_throughput
from pipeline.tools.bench.split import split_throughput


@click.group()
def bench() -> None:
    """Benchmarks (figures for the README; never asserted by tests)."""


F = TypeVar("F", bound=Callable[..., Any])


def repeat_option(help: str) -> Callable[[F], F]:
    """``--repeat N``: rounds of a comparison, alternating, whose medians are reported."""
    return click.option("--repeat", default=1, show_default=True, type=click.IntRange(min=1), help=help)


@bench.command("pipeline")
@click.option("--pages", default=2000, show_default=True, help="Pages of each kind to push through.")
@click.option(
    "--html-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Also real HTML pages: every *.html.gz of this folder (e.g. Fundus's test data), replicated.",
)
@click.option(
    "--publishers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With a Fundus test-data folder: only these publishers (a file of country/Publisher lines).",
)
@click.option(
    "--clusters",
    is_flag=True,
    help="Instead: the worker with story clusters on and off, side by side, on distinct stories "
    "(each republished once), and the cluster state's size per million stories.",
)
@repeat_option("With --clusters: rounds of on and off, alternating; medians reported.")
@click.pass_context
def bench_pipeline(
    ctx: click.Context,
    pages: int,
    html_dir: Path | None,
    publishers: Path | None,
    clusters: bool,
    repeat: int,
) -> None:
    """One worker end to end beside the split alone and Elasticsearch's bulk ceiling, per kind of page."""
    chosen = read_publishers(publishers)
    if clusters:
        echo_json(cluster_cost(settings_of(ctx), pages, click.echo, html_dir, chosen, repeat=repeat))
        return
    echo_json(pipeline_throughput(settings_of(ctx), pages, click.echo, html_dir, chosen))


@bench.command("faults")
@click.option(
    "--scenario",
    "scenarios",
    type=click.Choice(SCENARIOS),
    multiple=True,
    help="Default: every scenario.",
)
@click.option("--runs", default=1, show_default=True, help="Runs of each scenario, one after the other.")
@click.option("--pages", default=3000, show_default=True, help="Pages published per run.")
@click.option("--rate", default=100.0, show_default=True, help="Pages/s published.")
@click.option("--kills", default=10, show_default=True, help="SIGKILLs of the worker (crash scenario).")
@click.option("--static", is_flag=True, help="Crash scenario with static group membership.")
@click.pass_context
def bench_faults(
    ctx: click.Context,
    scenarios: tuple[str, ...],
    runs: int,
    pages: int,
    rate: float,
    kills: int,
    static: bool,
) -> None:
    """The fault battery: lost, duplicated, time to recover, per scenario, on the real stack."""
    chosen = list(scenarios) or SCENARIOS
    echo_json(faults_bench(settings_of(ctx), chosen, runs, click.echo, pages, rate, kills, static))


@bench.command("split")
@click.option(
    "--pages", default=2000, show_default=True, help="Text pages to split (HTML: up to 4x the set)."
)
@click.option(
    "--html-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="An article-extraction-benchmark folder or Fundus's test data for the HTML path "
    "(default: the sample pages).",
)
@click.option(
    "--publishers",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With a Fundus test-data folder: only these publishers (a file of country/Publisher lines).",
)
def bench_split(pages: int, html_dir: Path | None, publishers: Path | None) -> None:
    """Pages/s per core of the split stage's text and HTML paths (pure code, one process)."""
    chosen = read_publishers(publishers)
    echo_json(split_throughput(pages, lambda line: click.echo(line, err=True), html_dir, chosen))


@bench.command("scrape")
@click.option("--pages", default=250, show_default=True, help="Articles per host.")
@click.option(
    "--hosts", default=8, show_default=True, help="Loopback hosts (127.0.0.N) of the synthetic site."
)
@click.pass_context
def bench_scrape(ctx: click.Context, pages: int, hosts: int) -> None:
    """Pages/s and peak memory of one scrape round against a synthetic site, publishing to Kafka."""
    echo_json(scrape_throughput(settings_of(ctx), pages, hosts, click.echo))


@bench.command("alerts")
@click.option("--rate", default=100.0, show_default=True, help="Stories/s published for the latency run.")
@click.option("--seconds", default=60.0, show_default=True, help="How long the latency run publishes.")
@click.option(
    "--latency-rules", default="10,100,1000", show_default=True, help="Rule counts of the latency runs."
)
@click.option("--rules", "rule_counts", default="0,10,100,1000", show_default=True, help="Rule counts.")
@click.option("--pages", default=2000, show_default=True, help="Pages per throughput run.")
@click.option("--hops", is_flag=True, help="Also time each hop (reads two more topics while measuring).")
@repeat_option("Rounds of throughput runs (the counts alternate); medians are compared.")
@click.pass_context
def bench_alerts(
    ctx: click.Context,
    rate: float,
    seconds: float,
    latency_rules: str,
    rule_counts: str,
    pages: int,
    hops: bool,
    repeat: int,
) -> None:
    """Publish-to-alert latency (p50/p99) and ingestion throughput with 0/10/100/1,000 rules."""
    result = alerts_bench(
        settings_of(ctx),
        click.echo,
        rule_counts=counts(rule_counts),
        pages=pages,
        latency_rules=counts(latency_rules),
        rate=rate,
        seconds=seconds,
        hops=hops,
        repeat=repeat,
    )
    echo_json(result)


@bench.command("lang")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--engine", "engines", type=ENGINE_CHOICE, multiple=True, help="Default: every engine.")
def bench_lang(directory: Path, engines: tuple[str, ...]) -> None:
    """Texts/s per core of each engine, per text length, over a labelled set's texts."""
    echo_json(engine_throughput(directory, engines or None, progress_line))
