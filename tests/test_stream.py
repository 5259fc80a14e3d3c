import time

from pipeline.stream import Backlog


def test_ingestion_is_behind_while_the_pages_taken_lately_waited_long_in_kafka() -> None:
    backlog = Backlog(behind_after=1.0, fresh=2.0)
    assert not backlog.behind()  # nothing taken yet
    now = time.time()
    backlog.took(now - 0.2, now=now)
    assert not backlog.behind()  # keeping up
    backlog.took(now - 5.0, now=now)
    assert backlog.behind()  # pages waited 5 s
    backlog.took(None, now=now)  # a page without a timestamp changes nothing
    assert backlog.behind()
    backlog.took(now + 3.0, now=now)  # a producer's clock ahead: no wait, not behind
    assert not backlog.behind()


def test_a_worker_that_took_nothing_lately_is_not_behind() -> None:
    backlog = Backlog(behind_after=1.0, fresh=0.0)
    backlog.took(time.time() - 10.0)
    assert not backlog.behind()


def test_stories_waiting_for_the_index_stage_are_a_backlog_too() -> None:
    backlog = Backlog(behind_after=1.0, fresh=2.0)
    now = time.time()
    backlog.took(now - 0.1, now=now)  # the split stage keeps up ...
    backlog.took(now - 4.0, now=now, stage="index")  # ... the stories wait for the index stage
    assert backlog.behind()
    backlog.took(now - 0.1, now=now)  # a fresh page does not hide the stories' wait
    assert backlog.behind()
    backlog.took(now - 0.2, now=now, stage="index")
    assert not backlog.behind()
