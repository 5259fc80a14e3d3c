"""The `wirestream` command: one group, a subcommand per job."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline.config import Settings, get_settings
from pipeline.errors import PermanentError, UserError
from pipeline.messages import RawPage
from pipeline.observability import logging as logs
from pipeline.split.paragraphs import Para
from pipeline.topics import TopicNames


def _settings(ctx: click.Context) -> Settings:
    settings: Settings = ctx.obj
    return settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wirestream")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Wirestream: streaming news ingest (scrape -> Kafka -> split -> Elasticsearch).

    Every setting is an environment variable with the prefix WIRESTREAM_ (see the README).
    """
    settings = get_settings()
    logs.configure(settings.log_level, settings.log_format)
    ctx.obj = settings


def run_cli() -> None:
    """Entry point that turns UserError into a clear message and exit code 2."""
    try:
        main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (UserError, PermanentError) as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
    except Exception as exc:
        if not _unreachable_kafka(exc):
            raise
        servers = get_settings().kafka_bootstrap_servers
        click.secho(
            f"error: cannot reach Kafka at {servers} ({exc}); is it running? "
            "(`wirestream stack up` starts a local one; WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS points elsewhere)",
            fg="red",
            err=True,
        )
        sys.exit(3)


def _unreachable_kafka(exc: BaseException) -> bool:
    """kafka-python's "no broker answered" (it raises these from deep inside its clients)."""
    from kafka.errors import KafkaTimeoutError

    return isinstance(exc, KafkaTimeoutError) and "bootstrap" in str(exc).lower()


# --- stack ------------------------------------------------------------------------------------
@main.group()
def stack() -> None:
    """The local Kafka + Elasticsearch (fetched with Maven, run on loopback)."""


@stack.command("up")
@click.pass_context
def stack_up(ctx: click.Context) -> None:
    """Fetch (once) and start Kafka and Elasticsearch; wait until both answer."""
    from pipeline import stack as local

    timings = local.up(_settings(ctx), click.echo)
    click.echo(f"stack ready in {timings['total']:.1f} s")


@stack.command("down")
@click.pass_context
def stack_down(ctx: click.Context) -> None:
    """Stop exactly the processes `stack up` started."""
    from pipeline import stack as local

    local.down(_settings(ctx), click.echo)


@stack.command("status")
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object: state, version, port, pid per service."
)
@click.pass_context
def stack_status(ctx: click.Context, as_json: bool) -> None:
    """Is each service running, and does it answer? Exit 0 only when all are running."""
    from pipeline import stack as local

    statuses = [svc.status() for svc in local.local_services(_settings(ctx))]
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
    from pipeline import stack as local

    for svc in local.local_services(_settings(ctx)):
        if service in (None, svc.name):
            click.secho(f"==> {svc.log_path} <==", bold=True)
            click.echo(svc.log_tail(lines))


# --- contracts ---------------------------------------------------------------------------------
@main.group()
def schemas() -> None:
    """The message schemas and the index template in schemas/."""


@schemas.command("export")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write (default: the checkout's schemas/).",
)
def schemas_export(directory: Path | None) -> None:
    """Regenerate schemas/ from the message models and the index template."""
    from pipeline import schemas as contract

    for path in contract.export(directory or contract.DEFAULT_DIR):
        click.echo(f"wrote {path}")


@main.command("init")
@click.option(
    "--timeout", default=120.0, show_default=True, help="Seconds to wait for Kafka and Elasticsearch."
)
@click.pass_context
def init_cmd(ctx: click.Context, timeout: float) -> None:
    """Create the topics, the index template and the alias (safe to run again)."""
    from pipeline.bootstrap import init

    result = init(_settings(ctx), timeout=timeout)
    click.echo(json.dumps(result, indent=2))


# --- the pipeline ------------------------------------------------------------------------------
@main.command("publish")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--site", help="Site name (default: local).")
@click.option("--url", help="Page URL (default: the file's file:// URL); only with one FILE.")
@click.option("--html", "content_type", flag_value="text/html", help="The files are HTML.")
@click.option("--text", "content_type", flag_value="text/plain", help="The files are extracted text.")
@click.option("--lang", "language_hint", help="Language hint for the site.")
@click.pass_context
def publish_cmd(
    ctx: click.Context,
    files: tuple[Path, ...],
    site: str | None,
    url: str | None,
    content_type: str | None,
    language_hint: str | None,
) -> None:
    """Publish local pages to the pages topic (backfill, replays, tests)."""
    from pipeline.publish import page_from_file, publish_pages

    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one FILE with it")
    pages = [page_from_file(f, site, url, content_type, language_hint) for f in files]
    count = publish_pages(_settings(ctx), pages)
    click.echo(f"published {count} page(s) to {_topic_names(ctx).pages}")


@main.command("worker")
@click.option("--no-init", is_flag=True, help="Do not create missing topics/index before starting.")
@click.pass_context
def worker_cmd(ctx: click.Context, no_init: bool) -> None:
    """Run the stream processors (split, index) until stopped."""
    from pipeline.app import run_worker
    from pipeline.bootstrap import init

    settings = _settings(ctx)
    if not no_init:
        init(settings, timeout=settings.stack_start_timeout)
    run_worker(settings)


@main.command("search")
@click.argument("query")
@click.option("--lang")
@click.option("--site")
@click.option("--kind", type=click.Choice(["article", "teaser"]))
@click.option("--limit", default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of a table.")
@click.pass_context
def search_cmd(
    ctx: click.Context,
    query: str,
    lang: str | None,
    site: str | None,
    kind: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Search the stories (Kibana's query syntax: words, "phrases", AND/OR/NOT, field:value)."""
    from pipeline.search import search

    hits = search(_settings(ctx), query, lang=lang, site=site, kind=kind, limit=limit)
    if as_json:
        for hit in hits:
            click.echo(json.dumps(hit, ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no stories match {query!r}")
    for hit in hits:
        date = (hit.get("published_at") or hit.get("first_seen_at") or "")[:10]
        click.secho(f"{hit.get('title') or '(untitled)'}", bold=True)
        click.echo(f"  {hit['site']} · {hit['lang']} · {hit['kind']} · {date}")
        click.echo(f"  {' '.join(str(hit['snippet']).split())}")


@main.command("health")
@click.pass_context
def health_cmd(ctx: click.Context) -> None:
    """Exit 0 when Kafka and Elasticsearch answer (container health checks)."""
    from pipeline.bootstrap import kafka_client_options
    from pipeline.stack import probes

    settings = _settings(ctx)
    options = {k: v for k, v in kafka_client_options(settings).items() if k != "bootstrap_servers"}
    kafka_ok = probes.kafka_answers(settings.kafka_bootstrap_servers, **options)
    es_ok = probes.elasticsearch_ready(settings)
    click.echo(json.dumps({"kafka": kafka_ok, "elasticsearch": es_ok}))
    ctx.exit(0 if kafka_ok and es_ok else 1)


def _topic_names(ctx: click.Context) -> TopicNames:
    return TopicNames.from_settings(_settings(ctx))


@main.command("demo")
@click.option("--timeout", default=180.0, show_default=True, help="Seconds to wait for every story.")
@click.pass_context
def demo_cmd(ctx: click.Context, timeout: float) -> None:
    """Stack up, publish the bundled sample pages, index them, show searches."""
    from pipeline.demo.runner import run

    run(_settings(ctx), click.echo, timeout=timeout)


@main.group()
def bench() -> None:
    """Benchmarks (figures for the README; never asserted by tests)."""


@bench.command("pipeline")
@click.option("--pages", default=2000, show_default=True, help="How many pages to push through.")
@click.pass_context
def bench_pipeline(ctx: click.Context, pages: int) -> None:
    """Pages/s and stories/s through one worker, publish to searchable, on the real stack."""
    from pipeline.bench import pipeline_throughput

    click.echo(json.dumps(pipeline_throughput(_settings(ctx), pages, click.echo), indent=2))


@bench.command("alerts")
@click.option("--rate", default=100.0, show_default=True, help="Stories/s published for the latency run.")
@click.option("--seconds", default=60.0, show_default=True, help="How long the latency run publishes.")
@click.option(
    "--latency-rules", default="10,100,1000", show_default=True, help="Rule counts of the latency runs."
)
@click.option("--rules", "rule_counts", default="0,10,100,1000", show_default=True, help="Rule counts.")
@click.option("--pages", default=2000, show_default=True, help="Pages per throughput run.")
@click.option("--hops", is_flag=True, help="Also time each hop (reads two more topics while measuring).")
@click.pass_context
def bench_alerts(
    ctx: click.Context,
    rate: float,
    seconds: float,
    latency_rules: str,
    rule_counts: str,
    pages: int,
    hops: bool,
) -> None:
    """Publish-to-alert latency (p50/p99) and ingestion throughput with 0/10/100/1,000 rules."""
    from pipeline.bench_alerts import alerts_bench

    def counts(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(",") if part.strip())

    result = alerts_bench(
        _settings(ctx),
        click.echo,
        rule_counts=counts(rule_counts),
        pages=pages,
        latency_rules=counts(latency_rules),
        rate=rate,
        seconds=seconds,
        hops=hops,
    )
    click.echo(json.dumps(result, indent=2))


@bench.command("scrape")
@click.option("--pages", default=250, show_default=True, help="Articles per host.")
@click.option(
    "--hosts", default=8, show_default=True, help="Loopback hosts (127.0.0.N) of the synthetic site."
)
@click.pass_context
def bench_scrape(ctx: click.Context, pages: int, hosts: int) -> None:
    """Pages/s and peak memory of one scrape round against a synthetic site, publishing to Kafka."""
    from pipeline.bench import scrape_throughput

    click.echo(json.dumps(scrape_throughput(_settings(ctx), pages, hosts, click.echo), indent=2))


# --- Kibana ------------------------------------------------------------------------------------
@main.group()
def kibana() -> None:
    """Kibana's saved objects and example rule (deploy/kibana/)."""


@kibana.command("export")
@click.option("--directory", type=click.Path(file_okay=False, path_type=Path), default=None)
def kibana_export(directory: Path | None) -> None:
    """Regenerate deploy/kibana/ from the index template (a test keeps them in step)."""
    from pipeline import kibana as kb

    for path in kb.export(directory or kb.DEFAULT_DIR):
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

    Authenticates as WIRESTREAM_ELASTICSEARCH_USERNAME / _PASSWORD (Kibana checks them against
    Elasticsearch). Safe to run again: objects are overwritten, the rule is updated.
    """
    from pipeline import kibana as kb

    settings = _settings(ctx)
    password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else None
    result = kb.bootstrap(url, directory, settings.elasticsearch_username, password)
    click.echo(json.dumps(result))


# --- splitting ---------------------------------------------------------------------------------
@main.command("split")
@click.argument("files", nargs=-1, required=True)
@click.option("--url", help="Page URL (default: the file's file:// URL); only with one FILE.")
@click.option("--site", help="Site name (default: local). Several pages of one site share site memory.")
@click.option("--html", "content_type", flag_value="text/html", help="The input is HTML.")
@click.option("--text", "content_type", flag_value="text/plain", help="The input is extracted text.")
@click.option(
    "--explain", is_flag=True, help="Show, paragraph by paragraph, what was kept, split or dropped and why."
)
@click.pass_context
def split_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    url: str | None,
    site: str | None,
    content_type: str | None,
    explain: bool,
) -> None:
    """Cut pages into stories; print them as JSON lines (FILE may be - for stdin).

    Same code path as the worker. With several FILEs of one site, paragraphs the site repeats
    across them (legal notices, footers, rotating teasers) are recognised, as in the worker.
    """
    from pipeline.publish import page_from_file
    from pipeline.split import SiteMemory, split

    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one FILE with it")
    pages = []
    for name in files:
        if name == "-":
            body = sys.stdin.read()
            kind = content_type or ("text/html" if body.lstrip()[:1] == "<" else "text/plain")
            page_url = url or "stdin:"
            pages.append(
                RawPage(
                    url=page_url, canonical_url=page_url, site=site or "local", content_type=kind, body=body
                )
            )
        else:
            pages.append(page_from_file(Path(name), site, url, content_type))
    memory = SiteMemory()
    for page in pages:  # remember every page first, so the first page benefits too
        memory.observe(page.site, page.canonical_url, (p.text for p in _paragraphs_or_none(page)))
    failed = 0
    for page in pages:
        try:
            result = split(page, memory, _settings(ctx).language_engine)
        except PermanentError as exc:
            click.secho(f"error: {page.canonical_url}: {exc}", fg="red", err=True)
            failed += 1
            continue
        if explain:
            click.secho(f"# {page.canonical_url}", bold=True, err=False)
            for d in result.decisions:
                story = f"story {d.story}" if d.story is not None else "-"
                click.echo(f"{d.index:>3} {d.verdict:<13} {story:<8} {d.reason}\n      {d.text[:110]}")
        for found in result.stories:
            click.echo(found.model_dump_json(exclude={"schema_version"}))
        for link in result.links:
            click.echo(
                json.dumps(
                    {"kind": "link", "title": link.title, "url": link.url, "page_url": page.canonical_url},
                    ensure_ascii=False,
                )
            )
    if failed:
        sys.exit(1)


def _paragraphs_or_none(page: RawPage) -> list[Para]:
    from pipeline.split import page_paragraphs

    try:
        return page_paragraphs(page)[0]
    except PermanentError:
        return []


@main.group("eval")
def eval_group() -> None:
    """Quality scores on labelled data."""


@eval_group.command("split")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-v", "--verbose", is_flag=True, help="List every page with a problem.")
def eval_split(directory: Path, verbose: bool) -> None:
    """Score the splitter on labelled pages (NAME.txt|html + NAME.json)."""
    from pipeline.split import split_page
    from pipeline.split.evaluate import evaluate_split

    report = evaluate_split(directory, split_page)
    if verbose:
        for page in report.pages:
            if page.problems:
                click.echo(f"{page.name:<40} {page.shape:<24} " + "; ".join(page.problems))
    click.echo(json.dumps(report.summary(), indent=2))


@eval_group.command("extract")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def eval_extract(directory: Path) -> None:
    """Main-text F1 of the HTML path on the article-extraction benchmark folder."""
    from pipeline.split.evaluate import evaluate_extraction
    from pipeline.split.extract import extract_html

    def extractor(html: str, url: str) -> str:
        return extract_html(html, url).text

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{done}/{total}", nl=False, err=True)

    result = evaluate_extraction(directory, extractor, progress)
    if sys.stderr.isatty():
        click.echo(err=True)
    click.echo(json.dumps(result, indent=2))


@bench.command("split")
@click.option(
    "--pages", default=2000, show_default=True, help="Text pages to split (HTML: up to 4x the set)."
)
@click.option(
    "--html-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="An article-extraction-benchmark folder for the HTML path (default: the sample pages).",
)
def bench_split(pages: int, html_dir: Path | None) -> None:
    """Pages/s per core of the split stage's text and HTML paths (pure code, one process)."""
    from pipeline.bench import split_throughput

    click.echo(
        json.dumps(split_throughput(pages, lambda line: click.echo(line, err=True), html_dir), indent=2)
    )


# --- language ---------------------------------------------------------------------------------
_ENGINE_CHOICE = click.Choice(["fasttext+langdetect", "fasttext", "langdetect"])


@main.command("detect-lang")
@click.option("--engine", type=_ENGINE_CHOICE, default=None, help="Default: the configured engine.")
@click.option("--hint", default=None, help="A language to prefer in close calls (the site's language).")
@click.argument("files", nargs=-1, type=click.File("r", encoding="utf-8", errors="replace"))
@click.pass_context
def detect_lang(
    ctx: click.Context, engine: str | None, hint: str | None, files: tuple[click.utils.LazyFile, ...]
) -> None:
    """The language of each line of FILES (stdin by default), one JSON object per line."""
    from pipeline.language import detect

    chosen = engine or _settings(ctx).language_engine
    for stream in files or (click.get_text_stream("stdin", errors="replace"),):
        for line in stream:
            text = line.rstrip("\n")
            lang, confidence = detect(text, chosen, hint)
            click.echo(json.dumps({"lang": lang, "confidence": confidence, "chars": len(text)}))


@eval_group.command("lang")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--engine", "engines", type=_ENGINE_CHOICE, multiple=True, help="Default: every engine.")
@click.option("--misses", is_flag=True, help="List every text an engine got wrong.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of tables.")
def eval_lang(directory: Path, engines: tuple[str, ...], misses: bool, as_json: bool) -> None:
    """Accuracy per language and text length, and texts/s per engine, on a labelled set.

    DIRECTORY holds one folder per language (BCP-47 code) with headline.txt, teaser.txt and
    article.txt, one text per line.
    """
    from pipeline.language.evaluate import evaluate_engines

    report = evaluate_engines(directory, engines or None, progress=_progress_line)
    click.echo(json.dumps(report.as_dict(), indent=2) if as_json else report.render(misses))


@bench.command("lang")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--engine", "engines", type=_ENGINE_CHOICE, multiple=True, help="Default: every engine.")
def bench_lang(directory: Path, engines: tuple[str, ...]) -> None:
    """Texts/s per core of each engine, per text length, over a labelled set's texts."""
    from pipeline.language.evaluate import engine_throughput

    click.echo(json.dumps(engine_throughput(directory, engines or None, _progress_line), indent=2))


def _progress_line(message: str) -> None:
    if sys.stderr.isatty():
        click.echo(message, err=True)


# --- scraping ---------------------------------------------------------------------------------
@main.command("scrape")
@click.option(
    "--sources",
    "sources",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The sources file (YAML; format in the README, schema in schemas/sources.schema.json).",
)
@click.option("--once", is_flag=True, help="One discovery-and-fetch round, a summary per site, then exit.")
@click.option("--site", default=None, help="Only this site of the sources file.")
@click.option(
    "--no-links", is_flag=True, help="Do not fetch the headline-only teaser links the worker found."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summaries as JSON lines.")
@click.pass_context
def scrape_cmd(
    ctx: click.Context, sources: Path, once: bool, site: str | None, no_links: bool, as_json: bool
) -> None:
    """Discover and fetch news pages politely and safely; publish them to the pages topic.

    Without --once it polls each site on its interval until SIGINT/SIGTERM, then flushes what is in
    flight. Exit status with --once: 0, or 1 when a site had failures (refusals are not failures).
    """
    import asyncio

    from pipeline.scrape.runner import OUTCOMES, Summary
    from pipeline.scrape.service import scrape

    tty = sys.stdout.isatty() and not as_json

    def progress(site_name: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{site_name}: {done}/{total} pages", nl=False, err=True)

    def report(summary: Summary) -> None:
        if sys.stderr.isatty():
            click.echo("\r\033[K", nl=False, err=True)
        if tty:
            counts = "  ".join(f"{k} {summary.counts[k]}" for k in OUTCOMES)
            click.echo(f"{summary.site:<24} {counts}")
            for problem in summary.problems[:10]:
                click.echo(f"  ! {problem}")
        else:
            click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))

    summaries = asyncio.run(
        scrape(
            _settings(ctx),
            sources,
            once=once,
            site=site,
            links=not no_links,
            report=report,
            progress=progress,
        )
    )
    if once and any(s.counts["failed"] for s in summaries):
        sys.exit(1)


# --- alerts -----------------------------------------------------------------------------------
@main.group()
def alerts() -> None:
    """Keyword alert rules (Kibana's query syntax), kept in Elasticsearch beside the stories."""


@alerts.command("add")
@click.argument("name")
@click.option("--query", "-q", required=True, help='Lucene syntax, as in Kibana: Zelensky AND "Mali"')
@click.option("--lang", "languages", multiple=True, help="Only stories in this language (repeatable).")
@click.option("--site", "sites", multiple=True, help="Only stories from this site (repeatable).")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["article", "teaser"]))
@click.option("--owner", default=None)
@click.option("--webhook", default=None, help="Notify this URL (JSON POST).")
@click.option("--secret", default=None, help="Sign webhook calls with this shared secret (HMAC-SHA256).")
@click.option(
    "--secret-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read the shared secret from this file (keeps it out of the shell history and `ps`).",
)
@click.pass_context
def alerts_add(
    ctx: click.Context,
    name: str,
    query: str,
    languages: tuple[str, ...],
    sites: tuple[str, ...],
    kinds: tuple[str, ...],
    owner: str | None,
    webhook: str | None,
    secret: str | None,
    secret_file: Path | None,
) -> None:
    """Add (or replace) a rule; a query that does not parse is refused with the parser's message."""
    from pydantic import ValidationError

    from pipeline.alerts.rules import Rule, Target
    from pipeline.alerts.store import add_rule

    if secret_file is not None:
        secret = secret_file.read_text().strip()
    if secret and not webhook:
        raise UserError("--secret signs webhook calls: give --webhook too")
    targets = [Target(type="log")] + ([Target(type="webhook", url=webhook, secret=secret)] if webhook else [])
    try:
        rule = Rule.model_validate(
            {
                "name": name,
                "query": query,
                "languages": list(languages),
                "sites": list(sites),
                "kinds": list(kinds),
                "owner": owner,
                "targets": targets,
            }
        )
    except ValidationError as exc:
        raise UserError(f"invalid rule: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}") from None
    add_rule(_settings(ctx), rule)
    click.echo(f"rule {name!r} saved")


@alerts.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def alerts_list(ctx: click.Context, as_json: bool) -> None:
    """Every rule."""
    from pipeline.alerts.store import list_rules

    for rule in list_rules(_settings(ctx)):
        if as_json:
            click.echo(rule.model_dump_json(exclude={"targets"}))
        else:
            filters = " ".join(f"{k}={','.join(v)}" for k, v in rule.filters().items() if v)
            click.echo(f"{rule.name:<24} {rule.query}  {filters}")


@alerts.command("show")
@click.argument("name")
@click.pass_context
def alerts_show(ctx: click.Context, name: str) -> None:
    """One rule, in full (webhook secrets hidden)."""
    from pipeline.alerts.store import get_rule

    rule = get_rule(_settings(ctx), name)
    data = rule.model_dump(mode="json")
    for target in data["targets"]:
        if target.get("secret"):
            target["secret"] = "***"  # noqa: S105 - a mask, not a password
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@alerts.command("rm")
@click.argument("name")
@click.pass_context
def alerts_rm(ctx: click.Context, name: str) -> None:
    """Delete a rule."""
    from pipeline.alerts.store import remove_rule

    remove_rule(_settings(ctx), name)
    click.echo(f"rule {name!r} removed")


@alerts.command("fired")
@click.option("--rule", default=None, help="Only this rule's alerts.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def alerts_fired(ctx: click.Context, rule: str | None, limit: int, as_json: bool) -> None:
    """The latest alerts fired, newest first, and whether their notifications were delivered."""
    from pipeline.alerts.store import fired

    alerts_fired = fired(_settings(ctx), rule, limit)
    if not alerts_fired and not as_json:
        click.echo("no alert fired yet")
    for alert in alerts_fired:
        if as_json:
            click.echo(json.dumps(alert, ensure_ascii=False))
            continue
        delivery = alert.get("delivery") or "pending"
        click.echo(
            f"{alert['fired_at'][:19]}  {alert['rule']:<20} {alert['kind']:<8} {alert['lang']:<4} "
            f"{delivery:<9} {(alert.get('title') or alert.get('snippet', ''))[:60]}"
        )
        if alert.get("delivery_error"):
            click.echo(f"  {alert['delivery_error']}")


@alerts.command("test")
@click.argument("name")
@click.option("--limit", default=20, show_default=True)
@click.pass_context
def alerts_test(ctx: click.Context, name: str, limit: int) -> None:
    """What the rule would have fired on among the stories already indexed."""
    from pipeline.alerts.store import dry_run, get_rule

    settings = _settings(ctx)
    hits = dry_run(settings, get_rule(settings, name), limit)
    if not hits:
        click.echo("no story matches")
    for hit in hits:
        click.echo(f"{hit['kind']:<8} {hit['lang']:<4} {hit['site']:<16} {(hit.get('title') or '')[:70]}")
        click.echo(f"  {' '.join(str(hit['snippet']).split())}")
