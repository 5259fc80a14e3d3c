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
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp

from pipeline.alerts.rules import Target
from pipeline.index.triage import backoff
from pipeline.messages import Alert

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


class Notifier:
    """Delivers alerts to their targets; counts successes and failures in ``stats``."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        attempts: int = 5,
        timeout: float = 10.0,
        backoff_cap: float = 30.0,
    ) -> None:
        self.session = session
        self.attempts = attempts
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.backoff_cap = backoff_cap

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
        return await self._webhook(alert, target.url, target.secret)

    async def _webhook(self, alert: Alert, url: str, secret: str | None) -> Delivery:
        error = "not attempted"
        for attempt in range(1, self.attempts + 1):
            body, headers = webhook_request(alert, secret, time.time())
            wait: float | None = None
            try:
                async with self.session.post(url, data=body, headers=headers, timeout=self.timeout) as reply:
                    await reply.read()
                    if 200 <= reply.status < 300:
                        return Delivery(redact(url), None, attempt)
                    error = f"HTTP {reply.status}"
                    if not retryable(reply.status):
                        return Delivery(redact(url), error, attempt)
                    wait = _retry_after(reply.headers.get("Retry-After"))
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                error = f"{type(exc).__name__}: {exc}".rstrip(": ").replace(url, redact(url))
            if attempt < self.attempts:
                delay = min(
                    wait if wait is not None else backoff(attempt, cap=self.backoff_cap), self.backoff_cap
                )
                log.warning(
                    "webhook for alert %s failed (%s), attempt %d of %d; retrying in %.1fs",
                    alert.id,
                    error,
                    attempt,
                    self.attempts,
                    delay,
                    extra={"stage": "notify", "rule": alert.rule, "url": redact(url)},
                )
                await asyncio.sleep(delay)
        return Delivery(redact(url), error, self.attempts)


def _retry_after(value: str | None) -> float | None:
    if value and value.strip().isdigit():
        return float(value.strip())
    return None
