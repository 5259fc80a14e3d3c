"""Notifiers: where a fired alert goes. A webhook (JSON POST, signed, retried) or the log.

The webhook request (see the README for a receiver's check):

* body: the alert as JSON (the ``Alert`` message, ``schemas/alert.schema.json``);
* ``X-Wirestream-Alert-Id``: the alert id, the same on every retry (deduplicate on it);
* ``X-Wirestream-Timestamp``: Unix seconds when this attempt was signed;
* ``X-Wirestream-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<body>`` with the
  rule's shared secret (absent when the target has no secret).

2xx is delivered. 408, 429, 5xx, timeouts and connection errors are retried with capped, jittered
backoff (``Retry-After`` honoured up to the cap); other 4xx are not retried. The notifier runs in
its own agent on the alerts topic, so a failing webhook never blocks or slows ingestion.

At most ``per_host`` requests are in flight to one receiver host; the others wait their turn before
their timeout starts. Without that bound, a burst (a receiver back after an outage, hundreds of
alerts owed) queued in the HTTP client's pool with its clock running: a request sent just before its
timeout reached the receiver, was counted as failed and was sent again - a duplicate.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from pipeline.alerts.ledger import AlertLedger, RetrySchedule, delivery_state, target_key
from pipeline.alerts.rules import Rule, Target
from pipeline.alerts.stats import AlertStats
from pipeline.errors import PermanentError
from pipeline.index.client import transient
from pipeline.messages import Alert, decode, utcnow
from pipeline.observability.metrics import WEBHOOK_DELIVERIES
from pipeline.retry import RetryLater, RetryPolicy, log_retries
from pipeline.stream import Consumed, DeadLetters

log = logging.getLogger("pipeline.alerts")

SIGNATURE_HEADER = "X-Wirestream-Signature"
TIMESTAMP_HEADER = "X-Wirestream-Timestamp"
ALERT_ID_HEADER = "X-Wirestream-Alert-Id"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``<timestamp>.<body>`` (the timestamp stops replays)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def webhook_request(alert: Alert, secret: str | None, now: float) -> tuple[bytes, dict[str, str]]:
    """Body and headers of one attempt (pure)."""
    body = alert.to_bytes()
    timestamp = str(int(now))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Wirestream-Alerts/1",
        ALERT_ID_HEADER: alert.id,
        TIMESTAMP_HEADER: timestamp,
    }
    if secret:
        headers[SIGNATURE_HEADER] = signature(secret, timestamp, body)
    return body, headers


def redact(url: str) -> str:
    """A webhook URL without its path and query, which often hold a token (Slack, Teams, ...)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}/..."


def retryable(status: int) -> bool:
    return status in (408, 429) or status >= 500


@dataclass(frozen=True)
class Delivery:
    target: str  # "log" or the webhook URL, redacted
    error: str | None  # None when delivered
    attempts: int
    key: str = "log"  # the target's name in the ledger (target_key of the URL)


class WebhookRefused(Exception):
    """The receiver refused the request (a 4xx other than 408/429): trying again will not help."""


class Notifier:
    """Delivers alerts to their targets, each webhook call retried by ``retry`` (its attempts)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        retry: RetryPolicy,
        timeout: float = 10.0,
        per_host: int = 8,
    ) -> None:
        self.session = session
        self.retry = retry
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.per_host = per_host
        self._slots: dict[str, asyncio.Semaphore] = {}

    def _slot(self, url: str) -> asyncio.Semaphore:
        """The receiver host's turns (one semaphore per scheme, host and port)."""
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.hostname}:{parts.port}"
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = asyncio.Semaphore(self.per_host)
        return slot

    async def notify(self, alert: Alert, targets: list[Target]) -> list[Delivery]:
        """Every target at once; returns how each delivery ended."""
        return list(await asyncio.gather(*(self._deliver(alert, target) for target in targets)))

    async def _deliver(self, alert: Alert, target: Target) -> Delivery:
        if target.type == "log" or not target.url:
            log.info(
                "ALERT %s: %s (%s, %s) %s",
                alert.rule,
                alert.title or alert.snippet[:80],
                alert.site,
                alert.lang,
                alert.url,
                extra={"stage": "notify", "alert": alert.model_dump(mode="json")},
            )
            return Delivery("log", None, 1)
        delivery = await self._webhook(alert, target.url, target.secret)
        return Delivery(delivery.target, delivery.error, delivery.attempts, target_key(target.url))

    async def _webhook(self, alert: Alert, url: str, secret: str | None) -> Delivery:
        attempts = 0

        async def attempt() -> None:
            nonlocal attempts
            attempts += 1
            async with self._slot(url):  # the timeout starts once it is this request's turn
                await self._post(alert, url, secret)

        ctx = {"stage": "notify", "rule": alert.rule, "url": redact(url)}
        try:
            await self.retry.call(
                attempt,
                retryable=lambda exc: isinstance(exc, RetryLater),
                on_retry=log_retries(log, f"webhook for alert {alert.id} failed", ctx),
            )
        except (RetryLater, WebhookRefused) as exc:
            return Delivery(redact(url), str(exc), attempts)
        return Delivery(redact(url), None, attempts)

    async def _post(self, alert: Alert, url: str, secret: str | None) -> None:
        """One attempt: returns when delivered; RetryLater or WebhookRefused otherwise."""
        body, headers = webhook_request(alert, secret, time.time())
        try:
            async with self.session.post(url, data=body, headers=headers, timeout=self.timeout) as reply:
                await reply.read()
                if 200 <= reply.status < 300:
                    return
                if not retryable(reply.status):
                    raise WebhookRefused(f"HTTP {reply.status}")
                raise RetryLater(f"HTTP {reply.status}", _retry_after(reply.headers.get("Retry-After")))
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}".rstrip(": ").replace(url, redact(url))
            raise RetryLater(error) from exc


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None


class NotifyStage:
    """Alerts topic -> the rules' targets. Its own agent: a failing webhook never holds ingestion.

    An alert whose delivery is already recorded is skipped (a replay notifies nobody twice); each
    delivery's end is recorded in the ledger. A notification that failed every immediate attempt is
    marked for a later round (``schedule``; the redeliverer sends it, to the targets that failed
    only); when the schedule has no round left it is marked failed and dead-lettered with the reason.
    When a webhook that failed here delivers again, ``receiver_back`` is told its target: what it is
    owed need not wait for its round.
    """

    def __init__(
        self,
        rules: Callable[[], Awaitable[list[Rule]]],
        rule: Callable[[str], Rule | None],
        ledger: AlertLedger,
        notifier: Notifier,
        dead_letters: DeadLetters,
        retry: RetryPolicy,
        stats: AlertStats,
        schedule: RetrySchedule | None = None,
        receiver_back: Callable[[str], None] | None = None,
    ) -> None:
        self.schedule = schedule or RetrySchedule()
        self.receiver_back = receiver_back  # told the target once a failing webhook answers again
        self._failing: set[str] = set()  # targets whose last delivery here failed
        self.rules = rules  # reload the rules (RuleBook.rules)
        self.rule = rule  # one rule of the last load, by name (RuleBook.rule)
        self.ledger = ledger
        self.notifier = notifier
        self.dead_letters = dead_letters
        self.retry = retry
        self.stats = stats

    async def batch(self, messages: Sequence[Consumed]) -> None:
        try:
            await self.rules()  # the targets as they are now
        except Exception as exc:  # the last rules loaded will do
            log.warning("could not reload the rules: %s", exc, extra={"stage": "notify"})
        received: dict[str, tuple[Consumed, Alert]] = {}
        for message in messages:
            try:
                alert = decode(Alert, message.value)
            except PermanentError as exc:
                await self.dead_letters.error(message, exc)
                continue
            received[alert.id] = (message, alert)
        alerts = [alert for _, alert in received.values()]
        try:
            due = await self.retry.call(
                partial(self.ledger.undelivered, alerts),
                retryable=transient,
                on_retry=log_retries(log, "notify stage waiting for Elasticsearch", {"stage": "notify"}),
            )
        except Exception as exc:  # cannot tell: notifying twice beats not notifying
            log.warning("could not read delivery states: %s", exc, extra={"stage": "notify"})
            due = alerts
        done = await asyncio.gather(*(self._deliver(received[alert.id][0], alert) for alert in due))
        await self.ledger.mark(done)

    def _note_receivers(self, deliveries: list[Delivery]) -> None:
        """Remember the webhooks that fail; tell ``receiver_back`` when one answers again."""
        for delivery in deliveries:
            if delivery.key == "log":
                continue
            if delivery.error is not None:
                self._failing.add(delivery.key)
            elif delivery.key in self._failing:
                self._failing.discard(delivery.key)
                if self.receiver_back is not None:
                    self.receiver_back(delivery.key)

    async def _deliver(self, message: Consumed, alert: Alert) -> tuple[Alert, dict[str, Any]]:
        rule = self.rule(alert.rule)
        targets = rule.targets if rule is not None else [Target(type="log")]  # rule removed since
        deliveries = await self.notifier.notify(alert, targets)
        self._note_receivers(deliveries)
        failed = [d for d in deliveries if d.error is not None]
        self.stats.delivered += len(deliveries) - len(failed)
        self.stats.delivery_failures += sum(d.attempts - (d.error is None) for d in deliveries)
        WEBHOOK_DELIVERIES.labels("delivered").inc(len(deliveries) - len(failed))
        if not failed:
            return alert, delivery_state(None)
        why = "; ".join(f"{d.target}: {d.error} after {d.attempts} attempts" for d in failed)
        self.stats.last_error = f"alert {alert.id} ({alert.rule}): {why}"
        retry_at = self.schedule.next_at(1, alert.fired_at, utcnow())
        if retry_at is None:
            self.stats.given_up += len(failed)
            WEBHOOK_DELIVERIES.labels("failed").inc(len(failed))
            await self.dead_letters(message, f"notification failed: {why}", "DeliveryFailed")
        else:
            self.stats.retrying += len(failed)
            WEBHOOK_DELIVERIES.labels("retrying").inc(len(failed))
            log.warning(
                "notification failed, tried again at %s: %s",
                retry_at.isoformat(timespec="seconds"),
                why,
                extra={"stage": "notify", "rule": alert.rule, "alert_id": alert.id},
            )
        return alert, delivery_state(why, retry_at=retry_at, pending=[d.key for d in failed])
