"""The index stage with a scripted writer: what reaches the indexed topic, what is dead-lettered, and
that an answer nobody understands stops the worker before anything else happens."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import pytest

from pipeline.index.stage import IndexStage
from pipeline.index.writer import BulkResult, FatalIndexError, Rejected
from pipeline.messages import IndexedBatch, Story
from pipeline.stream import Consumed, DeadLetters
from tests.stages import Outbox, record, run


def story(n: int, lang: str = "en") -> Story:
    return Story(
        id=f"s{n}",
        kind="article",
        text=f"t{n}",
        lang=lang,
        site="s",
        page_url="u",
        fingerprint="f",
        position=0,
    )


class Writer:
    def __init__(self, result: BulkResult | Exception) -> None:
        self.result = result
        self.written: list[list[str]] = []
        self.clusters: list[dict[str, str] | None] = []

    async def write(self, stories: Sequence[Story], clusters: dict[str, str] | None = None) -> BulkResult:
        self.written.append([s.id for s in stories])
        self.clusters.append(clusters)
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class Stopped(Exception):
    pass


def stop(error: BaseException, message: Consumed) -> NoReturn:
    raise Stopped(f"{error} at offset {message.offset}")


def stage(writer: Writer, alerts: bool = True) -> tuple[IndexStage, Outbox, Outbox]:
    indexed, dead = Outbox(), Outbox()
    return (
        IndexStage(writer, DeadLetters("index", dead.send), indexed.send if alerts else None, stop),
        indexed,
        dead,
    )


def test_a_batch_is_written_and_its_ids_and_languages_go_to_the_indexed_topic() -> None:
    writer = Writer(BulkResult(indexed=3))
    built, indexed, dead = stage(writer)
    run(built.batch([record(story(n, lang).to_bytes(), n) for n, lang in ((1, "en"), (2, "tr"), (3, "en"))]))
    assert writer.written == [["s1", "s2", "s3"]]
    [batch] = indexed.values(IndexedBatch)
    assert batch.ids == ["s1", "s2", "s3"] and batch.languages == ["en", "tr"]
    assert dead.sent == []


def test_undecodable_and_rejected_stories_are_dead_lettered_and_left_out_of_the_indexed_batch() -> None:
    writer = Writer(
        BulkResult(
            indexed=1,
            rejected=[Rejected(1, "mapper_parsing_exception: bad date", "mapper_parsing_exception")],
        )
    )
    built, indexed, dead = stage(writer)
    run(built.batch([record(story(1).to_bytes(), 0), record(b"{broken", 1), record(story(2).to_bytes(), 2)]))
    assert writer.written == [["s1", "s2"]]
    letters = dead.letters()
    assert [(letter.offset, letter.stage) for letter in letters] == [(1, "index"), (2, "index")]
    assert "not a valid Story" in letters[0].reason and letters[1].error_type == "mapper_parsing_exception"
    assert indexed.values(IndexedBatch)[0].ids == ["s1"]


def test_with_alerts_off_nothing_goes_to_the_indexed_topic() -> None:
    built, indexed, _ = stage(Writer(BulkResult(indexed=1)), alerts=False)
    run(built.batch([record(story(1).to_bytes())]))
    assert indexed.sent == []


def test_a_batch_that_is_all_refused_sends_no_indexed_batch() -> None:
    writer = Writer(BulkResult(rejected=[Rejected(0, "bad", "mapper_parsing_exception")]))
    built, indexed, dead = stage(writer)
    run(built.batch([record(story(1).to_bytes())]))
    assert indexed.sent == [] and len(dead.sent) == 1


def test_an_answer_nobody_understands_stops_before_anything_is_sent() -> None:
    built, indexed, dead = stage(Writer(FatalIndexError("unexpected bulk item answer")))
    with pytest.raises(Stopped, match="unexpected bulk item answer at offset 5"):
        run(built.batch([record(story(1).to_bytes(), 5), record(story(2).to_bytes(), 6)]))
    assert indexed.sent == [] and dead.sent == []
