"""Notifiers: the webhook's signature, its retries and give-ups (against a local HTTP server), the log
notifier, and URLs kept out of the logs."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from pipeline.alerts.notify import (
    ALERT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Notifier,
    redact,
    signature,
    verify,
    webhook_request,
)
from pipeline.alerts.rules import Target
from pipeline.messages import Alert
from pipeline.retry import RetryPolicy

ALERT = Alert(
    id="a1",
    rule="zelensky",
    query="Zelensky",
    story_id="s1",
    kind="teaser",
    url="https://x.example/s1",
    page_url="https://x.example/p",
    site="x",
    lang="en",
    snippet="«Zelensky» met ministers",
    first_seen_at="2026-11-24T01:00:00Z",  # type: ignore[arg-type]
)


def test_the_signature_covers_timestamp_and_body_and_verifies() -> None:
    body, headers = webhook_request(ALERT, "s3cret", now=1_800_000_000.7)
    assert json.loads(body)["story_id"] == "s1"
    assert headers[TIMESTAMP_HEADER] == "1800000000" and headers[ALERT_ID_HEADER] == "a1"
    assert verify("s3cret", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify("other", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify("s3cret", "1800000001", body, headers[SIGNATURE_HEADER])  # a replayed body, new time
    assert not verify("s3cret", headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
    # a known value, so receivers in other languages can check their code against it
    assert (
        signature("k", "1", b"{}") == "sha256=" + __import__("hmac").new(b"k", b"1.{}", "sha256").hexdigest()
    )
    assert SIGNATURE_HEADER not in webhook_request(ALERT, None, now=0)[1]  # no secret, no signature


def test_webhook_urls_are_logged_without_their_path() -> None:
    assert (
        redact("https://hooks.slack.example/services/T000/B000/XXXX?token=1")
        == "https://hooks.slack.example/..."
    )
    assert redact("http://127.0.0.1:8080/hook") == "http://127.0.0.1:8080/..."


def serve(
    statuses: list[int], calls: list[dict[str, Any]], retry_after: str | None = None
) -> web.Application:
    async def hook(request: web.Request) -> web.Response:
        calls.append({"headers": dict(request.headers), "body": await request.read()})
        status = statuses[min(len(calls) - 1, len(statuses) - 1)]
        headers = {"Retry-After": retry_after} if retry_after and status == 429 else {}
        return web.Response(status=status, headers=headers)

    app = web.Application()
    app.router.add_post("/hook", hook)
    return app


def deliver(
    statuses: list[int], targets: list[Target] | None = None, **options: Any
) -> tuple[list[Any], list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []

    async def go() -> list[Any]:
        runner = web.AppRunner(serve(statuses, calls, options.pop("retry_after", None)))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url = f"http://127.0.0.1:{port}/hook"
        try:
            async with aiohttp.ClientSession() as session:
                notifier = Notifier(session, RetryPolicy(cap=0.05, attempts=options.get("attempts", 3)))
                return await notifier.notify(ALERT, targets or [Target(type="webhook", url=url, secret="k")])
        finally:
            await runner.cleanup()

    return asyncio.run(go()), calls


def test_a_webhook_is_retried_on_5xx_and_429_then_delivered_once() -> None:
    [delivery], calls = deliver([503, 429, 204], retry_after="0")
    assert delivery.error is None and delivery.attempts == 3 and len(calls) == 3
    assert {call["headers"][ALERT_ID_HEADER] for call in calls} == {"a1"}  # the receiver can deduplicate
    for call in calls:
        assert verify("k", call["headers"][TIMESTAMP_HEADER], call["body"], call["headers"][SIGNATURE_HEADER])


def test_a_webhook_that_keeps_failing_gives_up_with_the_reason() -> None:
    [delivery], calls = deliver([500])
    assert delivery.error == "HTTP 500" and delivery.attempts == 3 and len(calls) == 3
    assert delivery.target.endswith("/...")


def test_a_webhook_refusing_the_request_is_not_retried() -> None:
    [delivery], calls = deliver([404])
    assert delivery.error == "HTTP 404" and delivery.attempts == 1 and len(calls) == 1


def test_an_unreachable_webhook_is_a_failure_not_a_crash() -> None:
    async def go() -> Any:
        async with aiohttp.ClientSession() as session:
            notifier = Notifier(session, RetryPolicy(cap=0.01, attempts=2), timeout=2)
            return await notifier.notify(ALERT, [Target(type="webhook", url="http://127.0.0.1:9/hook")])

    [delivery] = asyncio.run(go())
    assert delivery.error is not None and delivery.attempts == 2


def test_the_log_notifier_writes_the_alert(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="pipeline.alerts"):
        [delivery], calls = deliver([204], targets=[Target(type="log")])
    assert delivery.error is None and calls == []
    record = next(r for r in caplog.records if r.getMessage().startswith("ALERT zelensky"))
    assert record.alert["story_id"] == "s1"  # type: ignore[attr-defined]


def test_a_burst_to_a_slow_receiver_is_sent_once_each() -> None:
    """A receiver serving two requests at a time (0.2 s each) and 20 alerts at once, 1 s timeout:
    requests wait their turn before their clock starts, so none times out after it arrived and
    none is sent twice (the HTTP client's pool alone let the clock run while queued)."""
    calls: list[str] = []

    async def go() -> list[Any]:
        busy = asyncio.Semaphore(2)

        async def hook(request: web.Request) -> web.Response:
            await request.read()
            async with busy:
                await asyncio.sleep(0.2)
                calls.append(request.headers[ALERT_ID_HEADER])
            return web.Response(status=204)

        app = web.Application()
        app.router.add_post("/hook", hook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        target = Target(type="webhook", url=f"http://127.0.0.1:{port}/hook")
        try:
            async with aiohttp.ClientSession() as session:
                notifier = Notifier(session, RetryPolicy(cap=0.05, attempts=3), timeout=1.0, per_host=2)
                alerts = [ALERT.model_copy(update={"id": f"a{i}"}) for i in range(20)]
                done = await asyncio.gather(*(notifier.notify(alert, [target]) for alert in alerts))
                await asyncio.sleep(0.5)  # any request still being served lands
                return [delivery for deliveries in done for delivery in deliveries]
        finally:
            await runner.cleanup()

    deliveries = asyncio.run(go())
    assert all(d.error is None and d.attempts == 1 for d in deliveries)
    assert sorted(calls) == sorted(f"a{i}" for i in range(20))  # each once
