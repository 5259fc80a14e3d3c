"""The alert and notify stages with scripted collaborators: grouping and chunking of indexed batches,
Elasticsearch waited out, failures dead-lettered, alerts sent once, deliveries recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from elasticsearch import TransportError

from pipeline.alerts.ledger import AlertLedger, RetrySchedule, target_key
from pipeline.alerts.notify import Delivery, NotifyStage
from pipeline.alerts.redeliver import due_query, owed_targets
from pipeline.alerts.rules import Rule, Target
from pipeline.alerts.stage import LONGEST_PAUSE, AlertStage, pause_after
from pipeline.alerts.stats import AlertStats
from pipeline.messages import Alert, IndexedBatch
from pipeline.retry import RetryPolicy
from pipeline.stream import DeadLetters
from tests.helpers import an_alert
from tests.stages import Outbox, record, run

NO_WAIT = RetryPolicy(base=0.0, cap=0.0)
RULES = [Rule(name="mali", query="Mali")]


alert = an_alert


async def rules() -> list[Rule]:
    return RULES


class Matcher:
    """Matches every id; fails first with the scripted errors."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[list[str], list[str] | None]] = []

    async def match(
        self, ids: Sequence[str], rules: Sequence[Rule], languages: Sequence[str] | None = None
    ) -> list[Alert]:
        self.calls.append((list(ids), list(languages) if languages is not None else None))
        if self.errors:
            raise self.errors.pop(0)
        return [alert(i) for i in ids]


class Ledger:
    """Alerts already fired are not handed on; delivered ones are not due again."""

    def __init__(self, fired: set[str] | None = None, delivered: set[str] | None = None) -> None:
        self.fired = set(fired or ())
        self.delivered = set(delivered or ())
        self.marked: list[tuple[str, dict[str, Any]]] = []

    async def record(self, alerts: Sequence[Alert]) -> list[Alert]:
        fresh = [a for a in alerts if a.id not in self.fired]
        self.fired.update(a.id for a in alerts)
        return fresh

    async def undelivered(self, alerts: Sequence[Alert]) -> list[Alert]:
        return [a for a in alerts if a.id not in self.delivered]

    async def mark(self, updates: Sequence[tuple[Alert, dict[str, Any]]]) -> None:
        self.marked += [(a.id, fields) for a, fields in updates]


def alert_stage(matcher: Matcher, ledger: Ledger, chunk: int = 1000) -> tuple[AlertStage, Outbox, Outbox]:
    sent, dead = Outbox(), Outbox()
    built = AlertStage(
        rules,
        matcher,
        ledger,
        sent.send,
        DeadLetters("alerts", dead.send),
        NO_WAIT,
        AlertStats(),
        chunk=chunk,  # type: ignore[arg-type]
    )
    return built, sent, dead


def indexed(*ids: str, languages: tuple[str, ...] = ("en",), offset: int = 0) -> Any:
    return record(IndexedBatch(ids=list(ids), languages=list(languages)).to_bytes(), offset)


def test_indexed_batches_are_grouped_deduplicated_and_matched_in_chunks() -> None:
    matcher = Matcher()
    built, sent, _ = alert_stage(matcher, Ledger(), chunk=2)
    run(built.batch([indexed("a", "b", "c"), indexed("c", "d", "e", languages=("tr",), offset=1)]))
    assert [ids for ids, _ in matcher.calls] == [["a", "b"], ["c", "d"], ["e"]]
    assert matcher.calls[0][1] == ["en", "tr"]
    assert [key for key, _ in sent.sent] == [f"mali-{i}".encode() for i in "abcde"]


def test_an_alert_fired_before_is_not_sent_again() -> None:
    built, sent, _ = alert_stage(Matcher(), Ledger(fired={"mali-a"}))
    run(built.batch([indexed("a", "b")]))
    assert [a.story_id for a in sent.values(Alert)] == ["b"]


def test_elasticsearch_down_is_waited_out_and_nothing_is_dead_lettered() -> None:
    matcher = Matcher(TransportError("connection refused"), TransportError("connection refused"))
    built, sent, dead = alert_stage(matcher, Ledger())
    run(built.batch([indexed("a")]))
    assert len(matcher.calls) == 3 and len(sent.sent) == 1 and dead.sent == []


def test_a_failure_that_is_not_transient_dead_letters_the_batch_and_the_stream_goes_on() -> None:
    built, sent, dead = alert_stage(Matcher(ValueError("query malformed")), Ledger())
    run(built.batch([indexed("a", offset=3), record(b"not json", 4)]))
    letters = dead.letters()
    assert [(letter.offset, letter.reason[:17]) for letter in letters] == [
        (4, "not a valid Index"),
        (3, "matching failed: "),
        (4, "matching failed: "),
    ]
    assert sent.sent == [] and built.stats.last_error == "ValueError: query malformed"


class Notifier:
    """Delivers to every target unless its URL is in ``failing``."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.failing = failing or set()
        self.notified: list[tuple[str, list[str]]] = []

    async def notify(self, alert: Alert, targets: list[Target]) -> list[Delivery]:
        self.notified.append((alert.id, [t.type for t in targets]))
        return [
            Delivery(
                t.url or "log",
                "HTTP 503" if t.url in self.failing else None,
                5 if t.url in self.failing else 1,
                target_key(t.url) if t.url else "log",
            )
            for t in targets
        ]


def notify_stage(
    ledger: Ledger | AlertLedger, notifier: Notifier, rule: Rule | None, horizon: float = 86400.0
) -> tuple[NotifyStage, Outbox]:
    dead = Outbox()
    built = NotifyStage(
        rules,
        lambda name: rule,
        ledger,
        notifier,
        DeadLetters("notify", dead.send),
        NO_WAIT,
        AlertStats(),  # type: ignore[arg-type]
        RetrySchedule(horizon=horizon),
    )
    return built, dead


HOOK = "https://hooks.example/x"
WEBHOOK_RULE = Rule(name="mali", query="Mali", targets=[Target(type="log"), Target(type="webhook", url=HOOK)])


def test_alerts_are_delivered_and_their_delivery_recorded() -> None:
    ledger, notifier = Ledger(), Notifier()
    built, dead = notify_stage(ledger, notifier, WEBHOOK_RULE)
    run(
        built.batch([record(alert("a").to_bytes(), 0), record(alert("a").to_bytes(), 1)])
    )  # twice in the topic
    assert notifier.notified == [("mali-a", ["log", "webhook"])]  # notified once
    [(alert_id, state)] = ledger.marked
    assert alert_id == "mali-a" and state["delivery"] == "delivered"
    assert built.stats.delivered == 2 and dead.sent == []


def test_an_alert_already_delivered_is_skipped_on_a_replay() -> None:
    ledger, notifier = Ledger(delivered={"mali-a"}), Notifier()
    built, _ = notify_stage(ledger, notifier, WEBHOOK_RULE)
    run(built.batch([record(alert("a").to_bytes()), record(alert("b").to_bytes())]))
    assert [alert_id for alert_id, _ in notifier.notified] == ["mali-b"]


def test_a_notification_that_fails_every_attempt_waits_for_a_later_round_to_the_failed_target() -> None:
    ledger = Ledger()
    built, dead = notify_stage(ledger, Notifier(failing={HOOK}), WEBHOOK_RULE)
    run(built.batch([record(alert("a").to_bytes(), 9)]))
    assert dead.letters() == []
    state = ledger.marked[0][1]
    assert state["delivery"] == "retrying" and state["retry_at"] and built.stats.retrying == 1
    assert state["pending_targets"] == [target_key(HOOK)] and state["delivery_rounds"] == 1


def test_past_the_retry_horizon_a_failed_notification_is_dead_lettered_and_marked_failed() -> None:
    ledger = Ledger()
    built, dead = notify_stage(ledger, Notifier(failing={HOOK}), WEBHOOK_RULE, horizon=0)
    run(built.batch([record(alert("a").to_bytes(), 9)]))
    [letter] = dead.letters()
    assert letter.offset == 9 and letter.error_type == "DeliveryFailed"
    assert "HTTP 503 after 5 attempts" in letter.reason
    assert ledger.marked[0][1]["delivery"] == "failed" and built.stats.given_up == 1


def test_poison_is_dead_lettered_and_a_removed_rule_still_notifies_the_log() -> None:
    notifier = Notifier()
    built, dead = notify_stage(Ledger(), notifier, None)
    run(built.batch([record(b"{}", 0), record(alert("a").to_bytes(), 1)]))
    assert [letter.offset for letter in dead.letters()] == [0]
    assert notifier.notified == [("mali-a", ["log"])]


def test_when_delivery_states_cannot_be_read_notifying_twice_beats_not_notifying() -> None:
    class Broken(Ledger):
        async def undelivered(self, alerts: Sequence[Alert]) -> list[Alert]:
            raise ValueError("index missing")

    notifier = Notifier()
    built, _ = notify_stage(Broken(delivered={"mali-a"}), notifier, WEBHOOK_RULE)
    run(built.batch([record(alert("a").to_bytes())]))
    assert [alert_id for alert_id, _ in notifier.notified] == ["mali-a"]


def test_later_rounds_wait_longer_each_time_up_to_the_longest_and_stop_at_the_horizon() -> None:
    schedule = RetrySchedule(first=30, longest=3600, horizon=86400)
    fired = datetime(2026, 1, 1, tzinfo=UTC)
    waits = [(schedule.next_at(n, fired, fired) - fired).total_seconds() for n in (1, 2, 3, 8, 20)]  # type: ignore[operator]
    assert waits == [30, 60, 120, 3600, 3600]
    assert schedule.next_at(3, fired, fired + timedelta(hours=23, minutes=59)) is None


def test_a_later_round_goes_to_the_webhooks_still_owed_or_to_the_corrected_one() -> None:
    rule = Rule(
        name="r",
        query="x",
        targets=[
            Target(type="log"),
            Target(type="webhook", url=HOOK),
            Target(type="webhook", url=HOOK + "2"),
        ],
    )
    assert [t.url for t in owed_targets(rule, [target_key(HOOK + "2")])] == [HOOK + "2"]
    assert [t.url for t in owed_targets(rule, [target_key("https://old.example/")])] == [HOOK, HOOK + "2"]
    due = due_query(datetime(2026, 1, 1, tzinfo=UTC), every_failed=False)
    assert {"terms": {"delivery": ["retrying", "sending"]}} in due["bool"]["filter"]  # a dead sender's too


def test_a_webhook_that_answers_again_is_sent_what_it_is_owed_without_waiting_for_its_round() -> None:
    backs: list[str] = []
    notifier = Notifier(failing={HOOK})
    built, _ = notify_stage(Ledger(), notifier, WEBHOOK_RULE)
    built.receiver_back = backs.append
    run(built.batch([record(alert("a").to_bytes(), 0)]))  # the receiver is down
    run(built.batch([record(alert("b").to_bytes(), 1)]))
    assert backs == []
    notifier.failing.clear()  # it answers again
    run(built.batch([record(alert("c").to_bytes(), 2)]))
    run(built.batch([record(alert("d").to_bytes(), 3)]))
    assert backs == [target_key(HOOK)]  # told once, not for every delivery after
    # what the round then asks for: every alert still owed to that target, whenever its round, but
    # none being sent (claimed by the leader's round: `sending` until its lease ends)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    [either, owed_to] = due_query(now, every_failed=False, owed_to=target_key(HOOK))["bool"]["filter"]
    assert owed_to == {"term": {"pending_targets": target_key(HOOK)}}
    retrying, sender_gone = either["bool"]["should"]
    assert retrying == {"terms": {"delivery": ["retrying"]}}
    assert sender_gone["bool"]["filter"] == [
        {"term": {"delivery": "sending"}},
        {"range": {"retry_at": {"lte": now.isoformat()}}},
    ]


def test_the_pause_after_a_batch_keeps_matching_to_its_share_of_the_time() -> None:
    assert pause_after(0.05, 1.0) == 0.0  # the default: never waits
    assert pause_after(0.05, 0.25) == pytest.approx(0.15)  # 0.05 s of every 0.2 s
    assert pause_after(0.05, 0.5) == pytest.approx(0.05)
    assert pause_after(2.0, 0.25) == LONGEST_PAUSE  # never more


class SlowMatcher(Matcher):
    async def match(
        self, ids: Sequence[str], rules: Sequence[Rule], languages: Sequence[str] | None = None
    ) -> list[Alert]:
        await asyncio.sleep(0.05)
        return await super().match(ids, rules, languages)


def test_the_stage_pauses_after_a_dear_batch_only_while_ingestion_is_behind() -> None:
    for behind, paused in ((False, False), (True, True)):
        built = AlertStage(
            rules,
            SlowMatcher(),  # type: ignore[arg-type]
            Ledger(),  # type: ignore[arg-type]
            Outbox().send,
            DeadLetters("alerts", Outbox().send),
            NO_WAIT,
            AlertStats(),
            busy_share=0.25,
            behind=lambda behind=behind: behind,  # type: ignore[misc]
        )
        run(built.batch([indexed("a")]))
        assert (built.pause >= 0.15) is paused, built.pause
