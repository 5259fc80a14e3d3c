"""Alert rules on the real Elasticsearch: stored, validated by the query parser, tested against the
indexed stories and matched per batch, firing for the teaser that names the keyword, not the article
of the same page."""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipeline.alerts.indices import alerts_index, ensure_alert_indices
from pipeline.alerts.ledger import delivery_state, target_key
from pipeline.alerts.notify import ALERT_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from pipeline.alerts.redeliver import redeliver
from pipeline.alerts.rulebook import RuleBook
from pipeline.alerts.rules import Rule, Target
from pipeline.alerts.stats import AlertStats
from pipeline.alerts.store import add_rule, dry_run, fired, get_rule, list_rules, match_batch, remove_rule
from pipeline.alerts.terms import DERIVED, Presearcher
from pipeline.bootstrap import ensure_index, init
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import async_es_client, es_client
from pipeline.index.documents import bulk_action
from pipeline.index.template import LANGUAGE_ANALYZERS
from pipeline.messages import Alert, DeadLetter, RawPage, utcnow
from pipeline.publish import publish_pages
from pipeline.split import split_page
from pipeline.tools.worker_process import caught_up, indexed_count
from pipeline.topics import TopicNames
from tests.helpers import an_alert, read_all, wait_for

pytestmark = pytest.mark.integration

PAGE = """Harbour workers vote on a new contract after six weeks of talks

Dock workers in the port city voted on Tuesday on a contract that keeps pensions intact and adds two rest days a month, after six weeks of talks with the port authority.

Union leaders said the result would be known on Friday; a strike remains possible if the contract is rejected by a majority of members. (Harbour News Agency)

Related news

President Zelensky met European defence ministers in Kyiv on Monday to discuss air defence systems and the repair of damaged power stations before winter.

Farmers in the northern valleys expect a record apple harvest this autumn after a mild spring and a wet summer, the regional growers' association said.
"""


@pytest.fixture
def indexed(isolated: Settings) -> tuple[Settings, list[str], dict[str, str]]:
    ensure_index(isolated)
    page = RawPage(
        url="https://harbour.example/vote",
        canonical_url="https://harbour.example/vote",
        site="harbour",
        content_type="text/plain",
        body=PAGE,
    )
    stories = split_page(page)
    es = es_client(isolated)
    try:
        response = es.bulk(
            operations=[p for s in stories for p in bulk_action(s, isolated.index_alias)], refresh=True
        )
        assert not response["errors"], response
    finally:
        es.close()
    kinds = {s.id: s.kind for s in stories}
    assert sorted(kinds.values()).count("teaser") >= 2 and "article" in kinds.values()
    return isolated, [s.id for s in stories], kinds


def test_a_rule_fires_for_the_teaser_that_names_the_keyword_not_the_article(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    settings, ids, kinds = indexed
    add_rule(settings, Rule(name="zelensky", query="Zelensky", owner="desk"))
    add_rule(settings, Rule(name="harbour-articles", query='"port authority"', kinds=["article"]))
    add_rule(settings, Rule(name="turkish-only", query="Zelensky", languages=["tr"]))
    assert [r.name for r in list_rules(settings)] == ["harbour-articles", "turkish-only", "zelensky"]

    hits = dry_run(settings, get_rule(settings, "zelensky"))
    assert [h["kind"] for h in hits] == ["teaser"]
    assert "«Zelensky»" in hits[0]["snippet"]

    # a rule that no longer parses (written around the check) fails alone; the others still fire
    broken = Rule(name="broken", query='title:(Zelensky AND "Kyiv')
    alerts = match_batch(settings, [*list_rules(settings), broken], ids)
    assert sorted((alert.rule, kinds[alert.story_id]) for alert in alerts) == [
        ("harbour-articles", "article"),
        ("zelensky", "teaser"),
    ]

    remove_rule(settings, "turkish-only")
    assert [r.name for r in list_rules(settings)] == ["harbour-articles", "zelensky"]


def test_narrowing_the_fields_to_the_batchs_languages_finds_the_same(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    settings, ids, _ = indexed
    from pipeline.demo.runner import sample_pages

    turkish = next(s.page for s in sample_pages() if s.page.site == "anka-haber")
    stories = split_page(turkish)
    es = es_client(settings)
    try:
        es.bulk(operations=[p for s in stories for p in bulk_action(s, settings.index_alias)], refresh=True)
    finally:
        es.close()
    every = ids + [s.id for s in stories]
    queries = [
        "Zelensky",
        "depremler",
        "deprem*",
        'title:"contract"',
        "NOT Zelensky",
        "harbour AND NOT vote",
        "Kyi?",
    ]
    rules = [Rule(name=f"q{i}", query=q) for i, q in enumerate(queries)]
    languages = sorted({s.lang for s in stories} | {"en"})
    assert languages == ["en", "tr"]

    def fired(languages: list[str] | None) -> set[tuple[str, str]]:
        return {(a.rule, a.story_id) for a in match_batch(settings, rules, every, languages)}

    everywhere = fired(None)
    assert {rule for rule, _ in everywhere} >= {
        "q0",
        "q1",
        "q2",
        "q4",
    }  # Turkish stemming: depremde -> deprem
    assert fired(languages) == everywhere


def test_a_query_that_does_not_parse_is_refused_with_the_parsers_message(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    settings, _, _ = indexed
    with pytest.raises(UserError, match="does not parse"):
        add_rule(settings, Rule(name="broken", query='title:(Zelensky AND "Kyiv'))
    assert list_rules(settings) == []


@dataclass
class Receiver:
    """A local webhook endpoint: ``/ok`` answers 204; ``/down`` 503 to its first three calls (an
    outage longer than one round of attempts), 204 after; records every call."""

    url: str
    calls: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def to(self, path: str) -> list[tuple[str, dict[str, str], bytes]]:
        return [call for call in self.calls if call[0] == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    calls: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            calls.append((self.path, dict(self.headers.items()), body))
            down = self.path == "/down" and len([c for c in calls if c[0] == "/down"]) <= 3
            self.send_response(503 if down else 204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(f"http://127.0.0.1:{server.server_address[1]}", calls)
    finally:
        server.shutdown()
        server.server_close()


def harbour_page(n: int = 0, body: str = PAGE) -> RawPage:
    url = f"https://harbour.example/vote/{n}"
    return RawPage(url=url, canonical_url=url, site="harbour", content_type="text/plain", body=body)


QUIET_PAGE = """City council approves a new budget for public libraries and reading rooms

The city council approved on Wednesday a budget that extends the opening hours of public libraries and adds reading rooms in three districts, after a long debate.

Council members said the plan would be reviewed next year, once visitor numbers for the new rooms are known. (City Desk)
"""


def test_the_worker_fires_for_the_teaser_once_and_notifies_without_holding_ingestion(
    isolated: Settings, worker: Callable[..., Any], receiver: Receiver
) -> None:
    settings = isolated.model_copy(
        update={
            "webhook_attempts": 2,
            "webhook_backoff_max_seconds": 0.5,
            "alert_retry_first_seconds": 1.0,
            "alert_retry_check_seconds": 1.0,
        }
    )
    init(settings, timeout=60)
    secret = "s3cret-shared"
    add_rule(
        settings,
        Rule(
            name="zelensky",
            query="Zelensky",
            owner="desk",
            targets=[Target(type="log"), Target(type="webhook", url=f"{receiver.url}/ok", secret=secret)],
        ),
    )
    add_rule(
        settings,
        Rule(
            name="down-hook", query="Zelensky", targets=[Target(type="webhook", url=f"{receiver.url}/down")]
        ),
    )
    es = es_client(settings)  # a rule written around `alerts add`, not a valid rule: skipped, counted
    try:
        es.index(
            index=f"{settings.index_alias}.rules",
            id="bad",
            document={"name": "bad", "query": ""},
            refresh=True,
        )
    finally:
        es.close()
    page = harbour_page()
    stories = {s.id: s for s in split_page(page)}
    teaser = next(s for s in stories.values() if "Zelensky" in s.text)
    assert teaser.kind == "teaser" and any(s.kind == "article" for s in stories.values())
    names = TopicNames.from_settings(settings)

    publish_pages(settings, [page])
    proc = worker(settings)

    def alerts() -> list[Alert]:
        return [
            Alert.model_validate_json(v or b"") for _, v in read_all(settings, names.alerts, idle_ms=1000)
        ]

    fired_now = wait_for(lambda: len(alerts()) >= 2 and alerts(), 90, "two alerts")
    assert sorted((a.rule, a.story_id) for a in fired_now) == [
        ("down-hook", teaser.id),
        ("zelensky", teaser.id),
    ]
    alert = next(a for a in fired_now if a.rule == "zelensky")
    assert alert.kind == "teaser" and alert.lang == "en" and alert.owner == "desk"
    assert "«Zelensky»" in alert.snippet

    # the webhook got one signed call; the failing one failed its round of two attempts, then a
    # later round (after the receiver came back) delivered it once; nothing was dead-lettered
    wait_for(lambda: receiver.to("/ok") and len(receiver.to("/down")) >= 2, 60, "the webhook calls")
    [(_, headers, body)] = receiver.to("/ok")
    assert headers[ALERT_ID_HEADER] == alert.id
    assert verify(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert json.loads(body)["story_id"] == teaser.id
    states = wait_for(
        lambda: (
            {a["rule"]: a.get("delivery") for a in fired(settings)}
            == {"zelensky": "delivered", "down-hook": "delivered"}
        ),
        90,
        "the failed notification delivered by a later round",
    )
    assert states
    assert len(receiver.to("/down")) == 4  # 503, 503 (round 1); 503, 204 (round 2)
    down_hook = next(a for a in fired(settings) if a["rule"] == "down-hook")
    assert down_hook["delivery_rounds"] == 2 and not down_hook["pending_targets"]
    letters = [
        letter
        for _, v in read_all(settings, names.deadletter, idle_ms=1000)
        if (letter := DeadLetter.model_validate_json(v or b"")).stage == "notify"
    ]
    assert letters == []

    # replays: the same page again, and a page without the keyword after it; nothing new fires
    publish_pages(settings, [page, harbour_page(1, QUIET_PAGE)])
    quiet_ids = [s.id for s in split_page(harbour_page(1, QUIET_PAGE))]
    wait_for(lambda: indexed_count(settings, quiet_ids) == len(quiet_ids), 60, "the quiet page indexed")
    wait_for(lambda: caught_up(settings, names.indexed), 60, "the alert stage to catch up")
    assert proc.poll() is None
    # a restart with a full replay: a worker of another group reads every page from the start
    proc.terminate()
    proc.wait(timeout=30)
    replay = settings.model_copy(update={"worker_group": f"{settings.worker_group}-replay"})
    worker(replay)
    wait_for(lambda: caught_up(replay, names.pages), 90, "the replay to read every page")
    wait_for(lambda: caught_up(replay, names.indexed), 60, "the replay's alert stage to catch up")
    assert sorted(a.rule for a in alerts()) == ["down-hook", "zelensky"]
    assert len(receiver.to("/ok")) == 1
    assert len(fired(settings)) == 2


def test_the_presearcher_leaves_out_no_rule_that_matches(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    """Many random rules over stories in several languages: the (rule, story) pairs with the
    presearcher are exactly those of searching with every rule."""

    from pipeline.demo.runner import sample_pages

    settings, ids, _ = indexed
    stories = [s for sample in sample_pages() for s in split_page(sample.page)]
    es = es_client(settings)
    try:
        es.bulk(operations=[p for s in stories for p in bulk_action(s, settings.index_alias)], refresh=True)
    finally:
        es.close()
    vocabulary = sorted({w for s in stories for w in re.findall(r"\w+", s.text) if len(w) > 2})
    rng = random.Random(17)

    def word() -> str:
        w = rng.choice([*vocabulary, "Zelensky", "nonexistentword", "the", "ve", "und"])
        return rng.choice([w, w.upper(), w.lower(), w[: max(3, len(w) // 2)].lower() + "*"])

    def query(depth: int = 0) -> str:
        shape = rng.randrange(8 if depth < 2 else 3)
        if shape == 0:
            return word()
        if shape == 1:
            return '"' + " ".join(rng.sample(vocabulary, 2)) + '"'
        if shape == 2:
            return f"{rng.choice(['title', 'text'])}:{word()}"
        if shape == 3:
            return f"({query(depth + 1)} OR {query(depth + 1)})"
        if shape == 4:
            return f"{query(depth + 1)} AND {query(depth + 1)}"
        if shape == 5:
            return f"{query(depth + 1)} AND NOT {word()}"
        if shape == 6:
            return f"+{query(depth + 1)} {word()}"
        return f"{word()} {word()} {word()}"

    rules = [
        Rule(name=f"r{i}", query=query(), languages=rng.choice([[], [], ["tr"], ["en", "de"]]))
        for i in range(300)
    ]

    batches = [[s for s in stories if s.page_url == sample.page.canonical_url] for sample in sample_pages()]
    batches.append([s for s in stories if s.id in set(ids)])

    def pairs(presearch: bool) -> set[tuple[str, str]]:  # batch by batch, as the worker matches
        found = set()
        for batch in batches:
            ids_of, langs = [s.id for s in batch], sorted({s.lang for s in batch})
            found |= {(a.rule, a.story_id) for a in match_batch(settings, rules, ids_of, langs, presearch)}
        return found

    everything = pairs(False)
    assert len({rule for rule, _ in everything}) > 30  # many rules fire: the comparison means something
    assert pairs(True) == everything

    async def skipped() -> int:
        es = async_es_client(settings)
        stats = AlertStats()
        try:
            presearcher = Presearcher(es, settings.index_alias, stats)
            for batch in batches:
                await presearcher.select(rules, [s.id for s in batch], sorted({s.lang for s in batch}))
        finally:
            await es.close()
        return stats.rules_skipped

    assert asyncio.run(skipped()) > len(rules) * len(batches) / 2  # and it left most rules out


def test_every_rule_is_read_when_the_rules_need_several_pages(
    isolated: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search answers at most 10,000 hits: rules are read page by page (here 2 a page), by the
    commands and by the worker's rule book, which reloads when one is removed."""
    monkeypatch.setattr("pipeline.alerts.rulebook.RULES_PAGE", 2)
    ensure_index(isolated)
    names = [f"rule-{i}" for i in range(5)]
    for name in reversed(names):
        add_rule(isolated, Rule(name=name, query=name))
    assert [r.name for r in list_rules(isolated)] == names

    async def loaded() -> tuple[list[str], list[str]]:
        book = RuleBook(isolated.index_alias, AlertStats())
        es = async_es_client(isolated)
        try:
            before = [r.name for r in await book.rules(es)]
            remove_rule(isolated, "rule-2")
            return before, [r.name for r in await book.rules(es)]
        finally:
            await es.close()

    assert asyncio.run(loaded()) == (names, [n for n in names if n != "rule-2"])


def test_a_round_for_a_receiver_back_never_sends_what_another_round_is_sending(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    """The leader's round is sending (claimed, its lease running) when a receiver-back round looks:
    the alert it is sending is left to it, so every alert arrives once."""
    isolated = indexed[0]
    calls: list[str] = []

    class Slow(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            calls.append(self.headers[ALERT_ID_HEADER])
            threading.Event().wait(0.5)  # a slow receiver: each delivery takes a while
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        ensure_alert_indices(isolated)
        add_rule(isolated, Rule(name="slow", query="Zelensky", targets=[Target(type="webhook", url=url)]))
        owed = delivery_state("HTTP 503", retry_at=utcnow() - timedelta(seconds=1), pending=[target_key(url)])
        es = es_client(isolated)
        try:
            for n in range(4):
                alert = an_alert(str(n), rule="slow", query="Zelensky")
                source = {**alert.model_dump(mode="json", exclude={"schema_version"}), **owed}
                es.index(index=alerts_index(isolated.index_alias), id=alert.id, document=source)
            es.indices.refresh(index=alerts_index(isolated.index_alias))

            async def both() -> None:
                async def give_up(alert: Alert, why: str) -> None:
                    raise AssertionError(why)

                def round_(**how: Any) -> Any:
                    return redeliver(
                        isolated, RuleBook(isolated.index_alias, AlertStats()), AlertStats(), give_up, **how
                    )

                scheduled = asyncio.ensure_future(round_())  # the leader's round, one alert at a time
                while len(calls) < 2:
                    await asyncio.sleep(0.02)
                es.indices.refresh(index=alerts_index(isolated.index_alias))  # its claim is visible
                await round_(owed_to=target_key(url))  # the receiver is back: what it is owed
                await scheduled

            asyncio.run(both())
        finally:
            es.close()
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(calls) == [f"slow-{n}" for n in range(4)]  # each once
    assert {a["id"]: a["delivery"] for a in fired(isolated)} == {f"slow-{n}": "delivered" for n in range(4)}


def test_each_derived_analyzer_indexes_its_standard_terms_each_analysed_alone(isolated: Settings) -> None:
    """What the presearcher derives for a language field instead of asking (``terms.DERIVED``) is
    exactly what Elasticsearch indexes there: headlines, teasers and articles in each language."""
    ensure_index(isolated)
    data = Path(__file__).parents[1] / "data" / "lang"
    langs = [lang for lang, a in LANGUAGE_ANALYZERS.items() if a in DERIVED and (data / lang).is_dir()]
    assert len(langs) >= 15
    es = es_client(isolated)
    try:
        for lang in langs:
            title = (data / lang / "headline.txt").read_text().splitlines()[0]
            text = "\n".join(
                (data / lang / f"{kind}.txt").read_text() for kind in ("article", "teaser", "headline")
            )
            fields = {"title": title, "text": text, f"title_{lang}": title, f"text_{lang}": text}
            es.index(index=isolated.index_alias, id=lang, document=fields)
        es.indices.refresh(index=isolated.index_alias)
    finally:
        es.close()

    async def compare() -> dict[str, tuple[int, int, int]]:
        es = async_es_client(isolated)
        presearcher = Presearcher(es, isolated.index_alias, AlertStats())
        differences = {}
        try:
            for lang in langs:
                analyzer = LANGUAGE_ANALYZERS[lang]
                real = await presearcher._terms([lang], [f"title_{lang}", f"text_{lang}"])
                standard = await presearcher._terms([lang], ["title", "text"])
                assert real is not None and standard is not None
                derived = await presearcher._derived(analyzer, standard["standard"])
                if derived != real[analyzer] or not derived:
                    differences[lang] = (len(real[analyzer]), len(derived), len(derived ^ real[analyzer]))
        finally:
            await es.close()
        return differences

    assert asyncio.run(compare()) == {}
