"""`wirestream bench faults`: the fault battery, on the real stack.

Every scenario publishes pages of one story each (numbered, every paragraph its own, so each story
is distinct and site memory drops nothing) at a steady rate to topics of its own, runs the worker
the way an orchestrator would (a worker that exits or is killed is started again), does harm while
pages arrive, then waits until every story is searchable and the worker group has committed every
partition of the pages topic to its end. Each reports what went in, what came out, dead letters,
how long recovery took and whether anything needed a hand (``worker_starts`` beyond the harm,
``exit_codes``: a worker that stopped itself, e.g. 75 for a stalled partition):

* ``crash`` - the worker SIGKILLed ``kills`` times, 7-10 s apart, started again at once. Recovery:
  from each restart until the next story is searchable.
* ``es-freeze`` / ``es-kill`` - Elasticsearch stopped with SIGSTOP for 60 s / killed for 60 s (and
  started again). Recovery: from the moment it answers until the next story is searchable.
* ``kafka-kill`` - Kafka killed for 30 s and started again; recovery as above.
* ``webhook-down`` - a rule fires for one page in ten (clusters off, so each is its own alert); its
  webhook answers 503 for 5 minutes, then 200. Every alert must arrive, none twice.
* ``poison`` - 5,000 invalid messages among the pages: every one dead-lettered, no page lost.
* ``heavy`` - pages with 50,000 links and 100,000 nested elements among the others: split or
  dead-lettered with a reason, and ``/health/`` answering within 2 s throughout.
* ``memory`` - the worker's resident memory after a tenth, half and all of ``pages`` distinct
  pages (``--pages 100000 --rate 1000``): flat once its bounded tables are full.

Needs the local stack (`wirestream stack up`) for the scenarios that stop a service. Figures for the
README and the reliability issue's note; the integration tests run a short crash scenario.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.alerts.notify import ALERT_ID_HEADER
from pipeline.alerts.rules import Rule, Target
from pipeline.alerts.store import add_rule, fired_count
from pipeline.config import Settings
from pipeline.demo.runner import ensure_services
from pipeline.errors import UserError
from pipeline.messages import RawPage
from pipeline.stack import services as local
from pipeline.stack.process import LocalService, signal_group
from pipeline.tools.bench.alerts import MARKER
from pipeline.tools.bench.faultrun import Say, finish, median, scenario, watch

# --- scenarios --------------------------------------------------------------------------------


def crash(
    settings: Settings, say: Say, pages: int, rate: float, kills: int = 10, static: bool = False
) -> dict[str, Any]:
    """The worker SIGKILLed ``kills`` times, 7-10 s apart, while pages keep arriving."""
    rng = random.Random()
    name = "crash"
    instance = f"faults-{uuid.uuid4().hex[:6]}" if static else None
    with scenario(settings, name, say, rate, pages, worker_instance_id=instance) as run:
        recoveries: list[float | None] = []
        for k in range(kills):
            time.sleep(rng.uniform(7.0, 10.0))
            run.sup.kill()
            before = run.documents()
            run.sup.start()
            recovered = run.wait_for_more(before, 120.0)
            recoveries.append(recovered)
            say(f"kill {k + 1}/{kills}: {before} searchable; progress again {recovered} s after the restart")
        measured = [r for r in recoveries if r is not None]
        figures = {
            "membership": "static" if static else "dynamic",
            "kills": kills,
            "recovery_max_s": max(measured) if measured else None,
            "recovery_median_s": median(measured),
            "no_recovery_within_120_s": len(recoveries) - len(measured),
        }
        return finish(run, name, figures, harm_starts=kills)


def _node(settings: Settings, which: str) -> LocalService:
    node: LocalService = local.Elasticsearch(settings) if which == "es" else local.Kafka(settings)
    if node.running_pid() is None:
        raise UserError(f"{node.name} was not started by `wirestream stack up`: this scenario cannot stop it")
    return node


def _pgid(node: LocalService) -> int:
    record = node.record() or {}
    return int(record.get("pgid", record["pid"]))


def outage(
    settings: Settings, say: Say, pages: int, rate: float, which: str, how: str, seconds: float
) -> dict[str, Any]:
    """Elasticsearch or Kafka frozen (SIGSTOP) or killed for ``seconds`` while pages arrive."""
    name = f"{which}-{how}"
    node = _node(settings, which)
    with scenario(settings, name, say, rate, pages) as run:
        time.sleep(10.0)
        before = run.documents()
        pgid = _pgid(node)
        restart_s = 0.0
        say(f"{name}: {before} searchable; {node.name} down ({how}) for {seconds:g} s")
        if how == "freeze":
            signal_group(pgid, signal.SIGSTOP)
            try:
                watch(run, seconds)
            finally:
                signal_group(pgid, signal.SIGCONT)
        else:
            signal_group(pgid, signal.SIGKILL)
            watch(run, seconds)
            node.stop()  # the record and any stragglers
            started = time.monotonic()
            node.wait_ready(node.start(), timeout=settings.stack_start_timeout)
            restart_s = round(time.monotonic() - started, 1)
        during = run.documents()
        recovered = run.wait_for_more(during, 180.0)
        say(f"{name}: {node.name} answers; progress again {recovered} s later")
        figures = {
            "outage_s": seconds,
            "service_restart_s": restart_s if how == "kill" else None,
            "recovery_s": recovered,
        }
        return finish(run, name, figures)


class _Receiver:
    """A webhook receiver that answers 503 until ``up_at``, then 200; records what it accepted."""

    def __init__(self, up_at: float) -> None:
        self.up_at = up_at
        self.accepted: list[str] = []
        self.refused = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if time.monotonic() < receiver.up_at:
                    receiver.refused += 1
                    self.send_response(503)
                else:
                    receiver.accepted.append(self.headers.get(ALERT_ID_HEADER, ""))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def webhook_down(
    settings: Settings, say: Say, pages: int, rate: float, seconds: float = 300.0
) -> dict[str, Any]:
    """A rule's webhook answers 503 for ``seconds``: every alert must still arrive, once."""
    name = "webhook-down"
    receiver = _Receiver(up_at=time.monotonic() + 10**9)
    try:
        # every marked page its own alert: clustered, the numbered copies of a few articles would
        # fire once per cluster (a handful of alerts), and this measures delivery
        with scenario(settings, name, say, rate, pages, marked_every=10, clusters_enabled=False) as run:
            add_rule(
                run.settings,
                Rule(name="marker", query=MARKER, targets=[Target(type="webhook", url=receiver.url)]),
            )
            receiver.up_at = time.monotonic() + seconds
            say(f"{name}: the receiver answers 503 for {seconds:g} s")
            watch(run, seconds)
            outcome = run.settle(300.0)
            fired = fired_count(run.settings)
            deadline = time.monotonic() + 3600
            while len(set(receiver.accepted)) < fired and time.monotonic() < deadline:
                run.sup.keep_running()
                time.sleep(2.0)
                fired = fired_count(run.settings)
            delivered_in = round(time.monotonic() - receiver.up_at, 1)
            say(
                f"{name}: {len(set(receiver.accepted))} of {fired} alerts delivered, "
                f"{delivered_in} s after the receiver came back"
            )
            stopped_in = run.sup.stop()
            return {
                "scenario": name,
                **outcome,
                "outage_s": seconds,
                "alerts_fired": fired,
                "alerts_delivered": len(set(receiver.accepted)),
                "alerts_delivered_twice": len(receiver.accepted) - len(set(receiver.accepted)),
                "refused_while_down": receiver.refused,
                "all_delivered_s_after_receiver_up": delivered_in,
                "sigterm_exit_s": stopped_in,
                "restarts_not_caused_by_the_harm": run.sup.starts - 1,
                "exit_codes": [code for code in run.sup.exits if code != -signal.SIGKILL],
            }
    finally:
        receiver.close()


def _poison(n: int) -> tuple[bytes | None, bytes]:
    kinds = [
        b"\xff\xfe not json",
        b'{"schema_version": 1, "url": 42}',
        b"",
        b'{"schema_version": 99, "url": "https://x.example/", "body": "x"}',
        os.urandom(64),
    ]
    return (f"poison-{n}".encode(), kinds[n % len(kinds)])


def poison(settings: Settings, say: Say, pages: int, rate: float, count: int = 5000) -> dict[str, Any]:
    """``count`` invalid messages among the pages: all dead-lettered, no page lost."""
    name = "poison"
    with scenario(settings, name, say, rate, pages) as run:
        run.publisher.slip_in([_poison(n) for n in range(count)])
        say(f"{name}: {count} invalid messages slipped in among the pages")
        figures = {"poison_messages": count}
        return finish(run, name, figures)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _heavy_pages(host: str) -> list[RawPage]:
    links = "".join(f'<li><a href="/l/{i}">Link number {i}</a></li>' for i in range(50_000))
    nested = (
        "<div>" * 100_000 + "<p>Deep inside a hundred thousand boxes, a paragraph.</p>" + "</div>" * 100_000
    )
    bodies = [
        f"<html><body><h1>Many links</h1><ul>{links}</ul></body></html>",
        f"<html><body>{nested}</body></html>",
    ]
    return [
        RawPage(
            url=f"https://{host}/heavy/{i}",
            canonical_url=f"https://{host}/heavy/{i}",
            site=host,
            content_type="text/html",
            body=body,
        )
        for i, body in enumerate(bodies * 3)
    ]


def heavy(settings: Settings, say: Say, pages: int, rate: float) -> dict[str, Any]:
    """Heavy pages among the others: the loop keeps answering health checks."""
    name = "heavy"
    port = _free_port()
    with scenario(settings, name, say, rate, pages, worker_web_enabled=True, worker_web_port=port) as run:
        heavy_pages = _heavy_pages(f"heavy-{uuid.uuid4().hex[:4]}.example")
        run.publisher.slip_in([(p.canonical_url.encode(), p.to_bytes()) for p in heavy_pages])
        slowest, failed, loop_lag = 0.0, 0, 0.0
        end = time.monotonic() + 60.0
        while time.monotonic() < end:
            t0 = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2.0) as answer:
                    loop_lag = max(loop_lag, float(json.loads(answer.read()).get("loop_lag_ms_max", 0)))
            except Exception:
                failed += 1
            slowest = max(slowest, time.monotonic() - t0)
            time.sleep(0.5)
        say(f"{name}: /health/ slowest answer {slowest:.2f} s, {failed} not answered within 2 s")
        figures = {
            "heavy_pages": len(heavy_pages),
            "health_slowest_s": round(slowest, 2),
            "health_failed": failed,
            "loop_lag_ms_max": loop_lag,
        }
        return finish(run, name, figures)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the split lanes), in MB."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    except OSError:
        return 0.0
    return round(total / 1024 + sum(_rss_mb(int(child)) for child in children), 1)


def memory(settings: Settings, say: Say, pages: int, rate: float) -> dict[str, Any]:
    """The worker's resident memory after a tenth of ``pages`` distinct pages and after all of them
    (``--pages 100000 --rate 1000``: 10,000 and 100,000)."""
    name = "memory"
    checkpoints = [pages // 10, pages // 2, pages]
    rss: dict[int, float] = {}
    with scenario(settings, name, say, rate, pages) as run:
        run.publisher.at_least = pages
        run.publisher._finish.set()  # exactly ``pages``
        for mark in checkpoints:
            while (done := run.documents()) < mark:
                if run.sup.proc is None or run.sup.proc.poll() is not None:
                    raise RuntimeError(f"the worker exited with {done} of {mark} pages indexed")
                time.sleep(2.0)
            assert run.sup.proc is not None
            rss[mark] = _rss_mb(run.sup.proc.pid)
            say(f"{name}: {done} pages indexed, worker RSS {rss[mark]} MB")
        first, last = rss[checkpoints[0]], rss[checkpoints[-1]]
        figures = {"rss_mb": rss, "growth_pct": round(100 * (last - first) / first, 1)}
        return finish(run, name, figures)


def scenarios(kills: int, static: bool) -> dict[str, Callable[[Settings, Say, int, float], dict[str, Any]]]:
    return {
        "crash": lambda s, say, n, r: crash(s, say, n, r, kills=kills, static=static),
        "es-freeze": lambda s, say, n, r: outage(s, say, n, r, "es", "freeze", 60.0),
        "es-kill": lambda s, say, n, r: outage(s, say, n, r, "es", "kill", 60.0),
        "kafka-kill": lambda s, say, n, r: outage(s, say, n, r, "kafka", "kill", 30.0),
        "webhook-down": webhook_down,
        "poison": poison,
        "heavy": heavy,
        "memory": memory,
    }


SCENARIOS = list(scenarios(0, False))


def faults_bench(
    settings: Settings,
    chosen: list[str],
    runs: int,
    say: Say,
    pages: int,
    rate: float,
    kills: int,
    static: bool,
) -> list[dict[str, Any]]:
    settings = ensure_services(settings, say)
    battery = scenarios(kills, static)
    results = []
    for name in chosen:
        for n in range(runs):
            say(f"scenario {name}, run {n + 1}/{runs}")
            results.append(battery[name](settings, say, pages, rate))
            say(str(results[-1]))
    return results
