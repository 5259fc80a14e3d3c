"""The local stack: Kafka and Elasticsearch on loopback, started and stopped together."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.stack.es_node import Elasticsearch
from pipeline.stack.kafka_node import Kafka
from pipeline.stack.process import LocalService, ServiceStatus, loopback_settings
from pipeline.stack.secure import files as secure_files
from pipeline.stack.secure import is_secure
from pipeline.stack.secure import set_up as _set_up_secure

__all__ = [
    "Elasticsearch",
    "Kafka",
    "LocalService",
    "ServiceStatus",
    "down",
    "is_secure",
    "local_services",
    "loopback_settings",
    "secure_files",
    "set_up_secure",
    "up",
]


def local_services(settings: Settings) -> list[LocalService]:
    return [Kafka(settings), Elasticsearch(settings)]


def set_up_secure(settings: Settings) -> None:
    """Make the state folder a secured stack's (certificates, administrator), unless it already
    holds a plain stack's data."""
    if is_secure(settings):
        return
    formatted = (Kafka(settings).home / "data" / "meta.properties").exists()
    if formatted or any(svc.running_pid() for svc in local_services(settings)):
        raise UserError(
            f"{settings.state_dir} holds a plain stack: `wirestream stack down` and use another "
            "WIRESTREAM_STATE_DIR for the secured one (or remove the folder, and its data with it)"
        )
    _set_up_secure(settings)


def up(settings: Settings, say: Callable[[str], None]) -> dict[str, float]:
    """Start every service that is not running yet; wait until all answer. Returns seconds each."""
    begin = time.monotonic()
    started: dict[str, tuple[LocalService, subprocess.Popen[bytes], float]] = {}
    try:
        for svc in local_services(settings):
            if svc.running_pid() is not None:
                say(f"{svc.name:<13} already running at {svc.address} (pid {svc.running_pid()})")
                continue
            svc.record_path.unlink(missing_ok=True)  # a stale record from a crashed run
            svc.check_ports_free()
            say(f"{svc.name:<13} starting {svc.version} ...")
            t0 = time.monotonic()
            started[svc.name] = (svc, svc.start(), t0)
        timings: dict[str, float] = {}
        for name, (svc, proc, t0) in started.items():
            svc.wait_ready(proc, settings.stack_start_timeout)
            timings[name] = time.monotonic() - t0
            say(f"{svc.name:<13} up at {svc.address} (pid {proc.pid}) in {timings[name]:.1f} s")
        for svc in local_services(settings):
            if svc.name not in started and not svc.answers():
                say(f"{svc.name:<13} is running but does not answer yet: `wirestream stack logs {svc.name}`")
    except BaseException:
        for svc, _, _ in started.values():
            svc.stop()
        raise
    timings["total"] = time.monotonic() - begin
    return timings


def down(settings: Settings, say: Callable[[str], None]) -> None:
    for svc in reversed(local_services(settings)):
        if svc.stop():
            say(f"{svc.name:<13} stopped")
        else:
            say(f"{svc.name:<13} was not running")
