import os
import subprocess
import sys
import threading

from pipeline.observability.liveness import (
    EXIT_SHUTDOWN_OVERDUE,
    PartitionView,
    ShutdownDeadline,
    StallWatch,
)


def view(
    committed: int | None = 361, end: int | None = 995, read: int | None = 994, busy: bool = False
) -> PartitionView:
    return PartitionView("news.pages.v1", 2, committed, end, read, busy)


def test_a_partition_idle_with_lag_and_frozen_commits_is_stalled_after_the_interval() -> None:
    watch = StallWatch(60)
    assert watch.observe(0, [view()]) == []
    assert watch.observe(59, [view()]) == []
    (stall,) = watch.observe(60, [view()])
    assert (stall.topic, stall.partition, stall.committed, stall.end) == ("news.pages.v1", 2, 361, 995)
    assert "news.pages.v1[2] committed at 361" in str(stall)


def test_moving_commits_are_progress() -> None:
    watch = StallWatch(60)
    for t, committed in enumerate(range(300, 400, 10)):
        assert watch.observe(t * 30, [view(committed=committed)]) == []


def test_no_lag_is_no_stall() -> None:
    watch = StallWatch(10)
    assert watch.observe(0, [view(committed=995)]) == []
    assert watch.observe(100, [view(committed=995)]) == []


def test_a_busy_topic_is_waiting_on_a_dependency_not_stalled() -> None:
    """An Elasticsearch outage holds a batch of the topic in progress: not a stall, however long."""
    watch = StallWatch(10)
    for t in range(0, 300, 5):
        assert watch.observe(t, [view(busy=True)]) == []
    # and the clock starts again once it is idle
    assert watch.observe(300, [view()]) == []
    assert watch.observe(309, [view()]) == []
    assert len(watch.observe(310, [view()])) == 1


def test_messages_not_read_yet_are_a_backlog_not_a_stall() -> None:
    watch = StallWatch(10)
    assert watch.observe(0, [view(read=360)]) == []
    assert watch.observe(100, [view(read=360)]) == []
    assert watch.observe(200, [view(read=None)]) == []


def test_a_revoked_partition_is_forgotten() -> None:
    watch = StallWatch(10)
    watch.observe(0, [view()])
    watch.observe(5, [])
    assert watch.observe(12, [view()]) == []


def test_the_shutdown_deadline_exits_when_overdue_and_not_when_cancelled() -> None:
    codes: list[int] = []
    exited = threading.Event()

    def fake_exit(code: int) -> None:
        codes.append(code)
        exited.set()

    deadline = ShutdownDeadline(0.05, exit=fake_exit)
    deadline.arm()
    deadline.arm()  # a second signal does not start a second clock
    assert exited.wait(5)
    assert codes == [EXIT_SHUTDOWN_OVERDUE]

    cancelled = ShutdownDeadline(0.05, exit=fake_exit)
    cancelled.arm()
    cancelled.cancel()
    assert not exited.wait(0) or codes == [EXIT_SHUTDOWN_OVERDUE]


def test_loop_lag_keeps_the_worst_delay_of_the_last_window() -> None:
    from pipeline.observability.liveness import LoopLag

    lag = LoopLag(window=60)
    lag.observe(0, 0.002)
    lag.observe(10, 0.250)  # a blocked loop
    lag.observe(20, 0.001)
    assert lag.max_ms == 250.0
    lag.observe(61, 0.003)  # the window closes: its worst is kept for one more window
    assert lag.max_ms == 250.0
    lag.observe(125, 0.004)
    assert lag.max_ms == 4.0


def test_a_restart_in_place_runs_the_same_command_again_in_the_same_process() -> None:
    script = (
        "import sys; sys.argv = ['wirestream', '--help'];"
        "from pipeline.observability.liveness import restart_in_place; restart_in_place()"
    )
    command = [sys.executable, "-c", script]
    out = subprocess.run(command, check=False, capture_output=True, text=True, timeout=60, env=os.environ)
    assert out.returncode == 0, out.stderr
    # the same command line again (`python -m pipeline --help`), after the warning
    assert "restarting the worker in place" in out.stderr
    assert "Usage:" in out.stdout
