"""A short run of the fault battery's crash scenario (`wirestream bench faults` runs the whole battery):
the worker SIGKILLed mid-stream and restarted, and still every story indexed, every partition of the
pages topic committed to its end, no worker that had to stop itself, and SIGTERM obeyed."""

from __future__ import annotations

import pytest

from pipeline.config import Settings
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
