"""The stack's process bookkeeping and error paths, without starting anything."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.stack import process, services


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        state_dir=tmp_path / "state",
        stack_cache_dir=tmp_path / "cache",
        stack_kafka_port=_free_port(),
        stack_kafka_controller_port=_free_port(),
        stack_elasticsearch_port=_free_port(),
        stack_elasticsearch_transport_port=_free_port(),
    )


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def test_nothing_running_is_stopped(settings: Settings) -> None:
    for svc in services.local_services(settings):
        status = svc.status()
        assert status.state == "stopped" and status.pid is None
        assert status.version  # the pinned version that `up` would run


def test_port_taken_by_a_stranger_is_a_clear_error(settings: Settings, listener: int) -> None:
    taken = settings.model_copy(update={"stack_kafka_port": listener})
    with pytest.raises(UserError, match=rf"port {listener} is already in use.*WIRESTREAM_STACK_KAFKA_PORT"):
        services.Kafka(taken).check_ports_free()
    assert services.Kafka(taken).status().state == "external"


def test_stale_record_of_a_dead_process_is_not_running(settings: Settings) -> None:
    svc = services.Kafka(settings)
    svc.record_path.parent.mkdir(parents=True)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    svc.record_path.write_text(json.dumps({"pid": dead.pid, "pgid": dead.pid, "version": "x"}))
    assert svc.running_pid() is None
    assert svc.status().state == "stopped"


def test_a_recycled_pid_that_is_not_ours_is_never_stopped(settings: Settings) -> None:
    svc = services.Kafka(settings)
    svc.record_path.parent.mkdir(parents=True)
    svc.record_path.write_text(json.dumps({"pid": os.getpid(), "pgid": os.getpgid(0), "version": "x"}))
    assert svc.running_pid() is None  # our own command line does not name the stack's state folder
    # stop() must not signal a group that is not ours... it only removes the stale record
    assert svc.record() is not None


def test_stop_ends_the_whole_process_group(settings: Settings) -> None:
    svc = services.Kafka(settings)
    svc.home.mkdir(parents=True)
    marker = str(settings.state_dir)
    # a leader that ignores SIGTERM and a child: both must be gone after stop()
    script = (
        "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, marker], start_new_session=True)
    svc.record_path.parent.mkdir(parents=True)
    svc.record_path.write_text(json.dumps({"pid": proc.pid, "pgid": proc.pid, "version": "x"}))
    # a python that is a launcher (pyenv's shim) shows its final command line only once it exec'd
    deadline = time.monotonic() + 10
    while svc.running_pid() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert svc.running_pid() == proc.pid
    assert svc.stop(grace=1.0)
    proc.wait(timeout=10)
    assert not process.group_alive(proc.pid)
    assert svc.record() is None


def test_timeout_shows_the_log_tail(settings: Settings) -> None:
    svc = services.Kafka(settings)
    svc.log_path.parent.mkdir(parents=True)
    svc.log_path.write_text("line 1\nERROR the broker is unhappy\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", str(settings.state_dir)], start_new_session=True
    )
    svc.record_path.parent.mkdir(parents=True)
    svc.record_path.write_text(json.dumps({"pid": proc.pid, "pgid": proc.pid, "version": "x"}))
    with pytest.raises(UserError, match=r"did not come up within 1 s(.|\n)*the broker is unhappy"):
        svc.wait_ready(proc, timeout=1.0)
    proc.wait(timeout=10)


def test_exit_during_start_shows_the_log_tail(settings: Settings) -> None:
    svc = services.Kafka(settings)
    svc.log_path.parent.mkdir(parents=True)
    svc.log_path.write_text("FATAL no space left\n")
    proc = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    proc.wait()
    with pytest.raises(UserError, match=r"exited with code 3(.|\n)*no space left"):
        svc.wait_ready(proc, timeout=5)
