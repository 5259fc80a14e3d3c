"""A short run of the fault battery's crash scenario (`wirestream bench faults` runs the whole battery):
the worker SIGKILLed mid-stream and restarted, and still every story indexed, every partition of the
pages topic committed to its end, no worker that had to stop itself, and SIGTERM obeyed. And what a
stall does: a clean shutdown, then the worker runs again in the same process (or exits 75)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipeline.bootstrap import init
from pipeline.config import Settings, as_env
from pipeline.observability.liveness import EXIT_STALLED
from pipeline.tools.bench.faults import crash

pytestmark = pytest.mark.integration


def test_a_worker_killed_mid_stream_three_times_loses_nothing_and_leaves_no_partition_behind(
    stack: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    result = crash(stack, print, pages=600, rate=50.0, kills=3)
    assert result["stories_found"] == result["stories_expected"] >= 600, result
    assert result["lost"] == 0 and result["unexpected_documents"] == 0, result
    assert result["partitions_behind"] == {}, result
    assert result["no_recovery_within_120_s"] == 0, result
    assert result["exit_codes"] == [] and result["restarts_not_caused_by_the_harm"] == 0, result
    assert result["sigterm_exit_s"] is not None and result["sigterm_exit_s"] <= 30, result


STALLING_WORKER = """
import os, signal, sys
from pipeline.app import create_app, run_worker
from pipeline.config import Settings
from pipeline.observability.housekeeping import STALLED

def stalling(settings):
    app = create_app(settings)

    @app.timer(1.0)
    async def stall():  # what the stall watch does when a partition stalls
        if not STALLED.is_set():
            print("stalled", flush=True)
            STALLED.set()
            os.kill(os.getpid(), signal.SIGTERM)

    return app

sys.argv = ["wirestream", "--help"]  # the command line a restart in place runs again
run_worker(Settings(), stalling)
"""


@pytest.mark.parametrize("restart", [True, False])
def test_a_stalled_worker_shuts_down_then_starts_again_in_place_or_exits_75(
    isolated: Settings, restart: bool
) -> None:
    init(isolated)
    env = {**os.environ, **as_env(isolated.model_copy(update={"worker_restart_on_stall": restart}))}
    command = [sys.executable, "-c", STALLING_WORKER]
    out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=180, check=False)
    assert "stalled" in out.stdout + out.stderr, out.stderr[-3000:]  # faust logs what a worker prints
    if restart:  # after the shutdown, the same process ran its command line again: `wirestream --help`
        assert out.returncode == 0, out.stderr[-3000:]
        assert "restarting the worker in place" in out.stderr
        assert out.stdout.startswith("Usage:")
    else:
        assert out.returncode == EXIT_STALLED, out.stderr[-3000:]
        assert "Usage:" not in out.stdout
