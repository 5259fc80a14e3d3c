"""`wirestream bench alerts`: publish-to-alert latency, and what rules cost ingestion.

* Latency: one worker; pages of one story each are published at a steady rate (default 100/s) for
  a while, after 15 s of the same load that is not timed (a freshly started Elasticsearch is
  several times slower for its first minute); one story in ten names a marker word one rule
  watches (still far more alerts than a desk gets). For each of those: the time from handing the
  page to the Kafka producer until its Alert is read from the alerts topic (p50, p90, p99); with
  ``hops``, also the median of each hop (split: until the story is on the stories topic; index:
  until its indexed batch is on the indexed topic; match: until its alert is read), at the price
  of a busier load generator. Measured with the number of rules given (the other rules are a
  journalist-like mix, see below).
* Throughput: the same pages (copies of the sample pages) through one worker with 0, 10, 100 and
  1,000 rules: stories/s until every story is searchable (ingestion), and until the alert stage has
  matched them all, timed from publishing to a worker that has already matched a story in each
  language. With ``repeat``, the rule counts alternate that many rounds and the medians are
  compared.

Rules are generated the way desks write them: single words, "phrases", AND/OR, NOT, wildcards,
``title:`` field searches and language/kind filters. A few use words of the sample pages (they
fire); the rest use names that are not in them (on a desk most rules are quiet most of the time).
The output says how many alerts fired.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from pipeline import kafka_clients
from pipeline.alerts.rules import Rule
from pipeline.alerts.store import add_rules, fired_count
from pipeline.bootstrap import init, scoped, teardown
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services, sample_pages
from pipeline.messages import RawPage
from pipeline.publish import publish_pages
from pipeline.split import split_page
from pipeline.tools.bench.latency import PageTimes, percentile, wait_until
from pipeline.tools.bench.pipeline import sample_copies
from pipeline.tools.worker_process import caught_up, running_worker, wait_until_indexed
from pipeline.topics import TopicNames

MARKER = "Zorblatt"
_NAMES = [
    "Quenby", "Ardelia", "Voskresen", "Tamberlane", "Oduya", "Kelderis", "Marwitz", "Sarandi",
    "Hollowmere", "Ishkavan", "Durrow", "Pellucid", "Yaromir", "Castellane", "Brightwater", "Okonjo",
]  # fmt: skip


def _vocabulary() -> list[str]:
    counts: Counter[str] = Counter()
    for sample in sample_pages():
        counts.update(w for w in re.findall(r"\w{5,}", sample.page.body) if not w.isdigit() and "_" not in w)
    return sorted(counts)


#: Rules whose words are in the sample pages, whatever the rule count: the bench pages are copies of
#: a dozen sample pages, so such a rule fires on a twelfth of all stories (on a real desk a rule
#: fires on a tiny share); a few of them keep the alert traffic near one alert per two stories.
FIRING_RULES = 5


def journalist_rules(count: int, seed: int = 7) -> list[Rule]:
    """``count`` rules of the shapes desks write (deterministic for a seed); the first
    :data:`FIRING_RULES` use words of the sample pages, the others names that are not in them."""
    rng = random.Random(seed)
    words = _vocabulary()
    vocabulary = True

    def word() -> str:
        return (
            rng.choice(words)
            if vocabulary
            else rng.choice(_NAMES) + rng.choice("aeiouy") + str(rng.randrange(100))
        )

    shapes: list[Callable[[], str]] = [
        word,
        lambda: f'"{word()} {word()}"',
        lambda: f"{word()} AND {word()}",
        lambda: f"({word()} OR {word()} OR {word()})",
        lambda: f"{word()} AND NOT {word()}",
        lambda: f"{word()[:6]}*",
        lambda: f"title:{word()}",
    ]
    rules = []
    for i in range(count):
        vocabulary = i < FIRING_RULES
        filters: dict[str, Any] = {}
        if rng.random() < 0.2:
            filters["languages"] = [rng.choice(["en", "tr", "ar", "de", "fr", "es", "ru", "fa"])]
        if rng.random() < 0.1:
            filters["kinds"] = ["article"]
        query = word() if vocabulary else rng.choice(shapes)()
        rules.append(Rule(name=f"bench-{i:04d}", query=query, owner="bench", **filters))
    return rules


def numbered_page(i: int, article: RawPage, marked: bool = True, host: str = "latency.example") -> RawPage:
    """Page ``i``: one story of its own (numbered headline and lead), on ``host``."""
    url = f"https://{host}/news/{i}"
    headline, _, rest = article.body.partition("\n\n")
    body = f"{headline} ({i})\n\n{MARKER if marked else 'Report'} {i}: {rest}"
    return article.model_copy(update={"url": url, "canonical_url": url, "body": body})


def article_pages() -> list[RawPage]:
    """One-story pages: the articles of the text sample pages, without their teasers."""
    pages = []
    for sample in sample_pages():
        if sample.page.content_type != "text/plain":
            continue
        article = next(s for s in split_page(sample.page) if s.kind == "article")
        body = f"{article.title}\n\n{article.text}" if article.title else article.text
        pages.append(sample.page.model_copy(update={"body": body}))
    return pages


def _run_settings(settings: Settings, what: str) -> Settings:
    # the pages are numbered copies of a few articles: clustered, they would fire once per cluster,
    # and this measures matching, so every story is its own cluster here
    return scoped(settings, f"bench{what}" + uuid.uuid4().hex[:6], clusters_enabled=False)


def latency(
    settings: Settings,
    rules: int,
    rate: float,
    seconds: float,
    say: Callable[[str], None],
    marked_every: int = 10,
    hops: bool = False,
    warmup: float = 15.0,
) -> dict[str, Any]:
    run = _run_settings(settings, "lat")
    init(run)
    try:
        watch = Rule(name="bench-latency", query=MARKER)
        add_rules(run, [watch, *journalist_rules(max(0, rules - 1))])
        reader = PageTimes(run, watch.name, hops)
        reader.start()
        log_path = run.state_dir / "logs" / f"{run.topic_prefix}-worker.log"
        with running_worker(run, log_path, "--no-init", env={"WIRESTREAM_LOG_LEVEL": "WARNING"}) as worker:
            load = _PacedLoad(run, reader, worker, rate, marked_every)
            try:
                load.warm_up()
                say(
                    f"publishing {int(rate * seconds)} one-story pages at {rate:g}/s with {rules} rules "
                    f"(1 in {marked_every} names the watched word) after {warmup:g} s of it untimed ..."
                )
                load.publish(seconds, warmup)
            finally:
                load.close()
                reader.stop.set()
        return {"rules": rules, **load.figures(hops)}
    finally:
        teardown(run)


class _PacedLoad:
    """One-story pages published at a steady rate; 1 in ``marked_every`` names the watched word and
    is timed from the producer until its alert is read."""

    def __init__(self, run: Settings, reader: PageTimes, worker: Any, rate: float, marked_every: int) -> None:
        self.reader = reader
        self.worker = worker
        self.rate = rate
        self.marked_every = marked_every
        self.topic = TopicNames.from_settings(run).pages
        self.producer = kafka_clients.producer(run)
        self.articles = article_pages()
        self.sent: dict[str, float] = {}  # page URL -> when it was handed to the producer
        self.total = 0
        self.published_in = 0.0

    def _send(self, page: RawPage) -> None:
        self.producer.send(self.topic, key=page.canonical_url.encode(), value=page.to_bytes())

    def warm_up(self) -> None:
        """The worker joins its group and loads its models before the clock runs."""
        warm = numbered_page(-1, self.articles[0])
        self._send(warm)
        self.producer.flush()
        wait_until(lambda: warm.canonical_url in self.reader.arrived, 120, self.worker, "the warm-up alert")

    def publish(self, seconds: float, warmup: float) -> None:
        self.total = int(self.rate * seconds)
        warming = int(self.rate * warmup)  # the same load, untimed: JIT, caches, segments settle
        start = time.time()
        for n in range(warming + self.total):
            i = n - warming  # negative while warming up
            page = numbered_page(i, self.articles[n % len(self.articles)], marked=i % self.marked_every == 0)
            delay = start + n / self.rate - time.time()
            if delay > 0:
                time.sleep(delay)
            if i >= 0 and i % self.marked_every == 0:
                self.sent[page.canonical_url] = time.time()
            self._send(page)
            if sys.stderr.isatty() and i % 100 == 0:
                print(
                    f"\r  {i}/{self.total} published, {len(self.reader.arrived)} alerts",
                    end="",
                    file=sys.stderr,
                )
        self.producer.flush()
        self.published_in = time.time() - start - warmup
        wait_until(
            lambda: all(url in self.reader.arrived for url in self.sent), 120, self.worker, "every alert"
        )
        if sys.stderr.isatty():
            print(file=sys.stderr)

    def close(self) -> None:
        self.producer.close()

    def figures(self, hops: bool) -> dict[str, Any]:
        reader, sent = self.reader, self.sent
        delays = [reader.arrived[url] - at for url, at in sent.items()]

        def median_of(hop: Callable[[str], float]) -> float:
            return round(percentile([hop(url) for url in sent], 0.5), 3)

        figures: dict[str, Any] = {
            "stories": self.total,
            "rate_per_s": round(self.total / self.published_in, 1),
            "alerts_timed": len(sent),
            "p50_s": round(percentile(delays, 0.50), 3),
            "p90_s": round(percentile(delays, 0.90), 3),
            "p99_s": round(percentile(delays, 0.99), 3),
            "max_s": round(max(delays), 3),
        }
        if hops:
            figures["median_split_s"] = median_of(lambda url: reader.split_at[url] - sent[url])
            figures["median_index_s"] = median_of(lambda url: reader.indexed_at[url] - reader.split_at[url])
            figures["median_match_s"] = median_of(lambda url: reader.arrived[url] - reader.indexed_at[url])
        return figures


def throughput(settings: Settings, rules: int, pages: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Stories/s of one worker with ``rules`` rules, timed from the moment the pages are published
    to a worker that is already up and has matched a first story in each of the samples' languages
    (group joined, models and rules loaded, the rules' words analysed in those languages): what a
    running worker sustains, not its start."""
    run = _run_settings(settings, "thr")
    init(run)
    try:
        add_rules(run, journalist_rules(rules))
        batch = sample_copies(pages)
        ids = sorted({story.id for page in batch for story in split_page(page)})
        # one story in each language of the samples: what a worker that has been running has seen
        warm = [numbered_page(-1 - k, a, host="warm-up.example") for k, a in enumerate(article_pages())]
        log_path = run.state_dir / "logs" / f"{run.topic_prefix}-worker.log"
        names = TopicNames.from_settings(run)
        with running_worker(run, log_path, "--no-init", env={"WIRESTREAM_LOG_LEVEL": "WARNING"}) as worker:
            publish_pages(run, warm)
            warm_ids = [story.id for page in warm for story in split_page(page)]
            wait_until_indexed(run, warm_ids, worker, timeout=300)
            wait_until(lambda: caught_up(run, names.indexed), 300, worker, "the warm-up pages' alerts")
            say(f"{len(batch)} pages ({len(ids)} stories) with {rules} rules ...")
            t0 = time.monotonic()
            publish_pages(run, batch)
            wait_until_indexed(run, ids, worker, timeout=900)
            indexed_s = time.monotonic() - t0
            wait_until(lambda: caught_up(run, names.indexed), 900, worker, "the alert stage")
            matched_s = time.monotonic() - t0
        return {
            "rules": rules,
            "stories": len(ids),
            "indexed_per_s": round(len(ids) / indexed_s, 1),
            "matched_per_s": round(len(ids) / matched_s, 1),
            "alerts_fired": fired_count(run),
        }
    finally:
        teardown(run)


def summary(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per rule count: the median stories/s of its runs, and what the rules cost ingestion against
    the median with no rules (runs alternate between the counts, so drift hits all alike)."""
    by_count: dict[int, list[dict[str, Any]]] = {}
    for run in runs:
        by_count.setdefault(run["rules"], []).append(run)
    rows = [
        {
            "rules": count,
            "runs": len(group),
            "indexed_per_s": round(statistics.median(r["indexed_per_s"] for r in group), 1),
            "matched_per_s": round(statistics.median(r["matched_per_s"] for r in group), 1),
        }
        for count, group in by_count.items()
    ]
    base = next((row["indexed_per_s"] for row in rows if row["rules"] == 0), None)
    if base:
        for row in rows:
            row["ingestion_cost_pct"] = round(100 * (1 - row["indexed_per_s"] / base), 1)
    return rows


def alerts_bench(
    settings: Settings,
    say: Callable[[str], None],
    rule_counts: tuple[int, ...] = (0, 10, 100, 1000),
    pages: int = 2000,
    latency_rules: tuple[int, ...] = (10, 100, 1000),
    rate: float = 100.0,
    seconds: float = 60.0,
    hops: bool = False,
    repeat: int = 1,
) -> dict[str, Any]:
    settings = ensure_services(settings, say)
    lat = []
    for count in latency_rules:
        lat.append(latency(settings, count, rate, seconds, say, hops=hops))
        say(f"  latency with {count} rules: {lat[-1]}")
    thr = []
    for round_no in range(repeat):
        for count in rule_counts:
            thr.append(throughput(settings, count, pages, say))
            say(f"  throughput with {count} rules (round {round_no + 1} of {repeat}): {thr[-1]}")
    return {"latency": lat, "throughput": thr, "throughput_median": summary(thr)}
