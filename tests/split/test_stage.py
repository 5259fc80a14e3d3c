"""The split stage with scripted collaborators: what is sent, what is dead-lettered, and that a page is
acknowledged only once Kafka has confirmed everything it gave (in any order)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import pytest

from pipeline.messages import RawPage, Story, TeaserLink
from pipeline.split import Link, SplitResult, split
from pipeline.split.stage import SplitStage
from pipeline.stream import Consumed, DeadLetters, Record
from tests.split.test_segment import AGENCY_PAGE
from tests.stages import Outbox, record, run


def page(url: str = "https://agency.example/a", body: str = AGENCY_PAGE) -> RawPage:
    return RawPage(url=url, canonical_url=url, site="agency", content_type="text/plain", body=body)


def stage(
    splitter: object = split, max_page_bytes: int = 1_000_000, in_flight: int = 10
) -> tuple[SplitStage, Outbox, Outbox, Outbox]:
    stories, links, dead = Outbox(), Outbox(), Outbox()
    built = SplitStage(
        splitter,  # type: ignore[arg-type]
        stories.send,
        links.send,
        DeadLetters("split", dead.send),
        max_page_bytes=max_page_bytes,
        in_flight=in_flight,
    )
    return built, stories, links, dead


async def events(*records: Record) -> AsyncIterator[Record]:
    for r in records:
        yield r


def drive(built: SplitStage, *records: Record) -> list[int]:
    acked: list[int] = []

    async def ack(event: Consumed) -> None:
        acked.append(event.offset)

    run(built.run(events(*records), message_of=lambda event: event, ack=ack))
    return acked


def test_a_page_becomes_its_stories_and_is_acknowledged() -> None:
    built, stories, _, dead = stage()
    assert drive(built, record(page().to_bytes())) == [0]
    sent = stories.values(Story)
    assert sent[0].kind == "article" and len(sent) >= 2
    assert [key for key, _ in stories.sent] == [s.id.encode() for s in sent]  # key = story id
    assert dead.sent == []


def test_headline_only_teasers_with_a_link_go_to_the_links_topic() -> None:
    story = Story(id="a", kind="article", text="t", site="s", page_url="u", fingerprint="f", position=0)
    result = SplitResult([story], [Link("Read more", "https://s.example/b"), Link("no url", None)], [])
    built, stories, links, _ = stage(lambda _page: result)
    drive(built, record(page().to_bytes()))
    assert [link.url for link in links.values(TeaserLink)] == ["https://s.example/b"]
    assert links.sent[0][0] == b"https://s.example/b" and len(stories.sent) == 1


def test_each_kind_of_poison_is_dead_lettered_with_its_reason_and_bytes_and_the_stream_goes_on() -> None:
    def explode(_page: RawPage) -> SplitResult:
        raise RuntimeError("a bug on one page")

    poison = {
        b"{not json": "not a valid RawPage",
        b"\xff\xfe\x00garbage": "not a valid RawPage",
        page(body=" \n ").to_bytes(): "page body is empty",
        b"x" * 2_000: "over the cap",
    }
    built, stories, _, dead = stage(max_page_bytes=1_000)
    offsets = drive(built, *(record(value, offset=i) for i, value in enumerate(poison)))
    assert sorted(offsets) == [0, 1, 2, 3]  # acknowledged: never consumed again, never lost
    letters = sorted(dead.letters(), key=lambda letter: letter.offset)  # pages are handled concurrently
    assert [letter.original for letter in letters] == list(poison)
    for letter, reason in zip(letters, poison.values(), strict=True):
        assert reason in letter.reason and letter.stage == "split" and letter.topic == "in"
    assert stories.sent == []
    bug, _, _, dead = stage(explode)
    drive(bug, record(page().to_bytes(), offset=7))
    [letter] = dead.letters()
    assert letter.reason == "unexpected RuntimeError: a bug on one page" and letter.offset == 7


def test_a_page_is_acked_only_after_its_sends_are_confirmed_whatever_the_order() -> None:
    slow = page("https://agency.example/slow")
    fast = page("https://agency.example/fast")
    held: set[str] = set()
    gate = asyncio.Event()

    async def scenario() -> list[int]:
        stories = Outbox()

        async def send(key: bytes | None, value: bytes) -> None:
            if Story.model_validate_json(value).page_url == slow.canonical_url:
                held.add("slow")
                await gate.wait()
            await stories.send(key, value)

        built = SplitStage(split, send, Outbox().send, DeadLetters("split", Outbox().send), 1_000_000, 10)
        acked: list[int] = []

        async def ack(event: Consumed) -> None:
            acked.append(event.offset)

        task = asyncio.ensure_future(
            built.run(events(record(slow.to_bytes(), 0), record(fast.to_bytes(), 1)), lambda e: e, ack)
        )
        while 1 not in acked:
            await asyncio.sleep(0.01)
        assert acked == [1] and held == {"slow"}  # the fast page is acked, the slow one is not
        gate.set()
        await task
        return acked

    assert run(scenario()) == [1, 0]


def test_at_most_in_flight_pages_wait_for_confirmation() -> None:
    waiting: list[int] = []
    most = 0
    gate = asyncio.Event()

    async def scenario() -> None:
        nonlocal most

        async def send(key: bytes | None, value: bytes) -> None:
            nonlocal most
            waiting.append(1)
            most = max(most, len(waiting))
            await gate.wait()
            waiting.pop()

        built = SplitStage(
            partial(split), send, Outbox().send, DeadLetters("split", Outbox().send), 1_000_000, in_flight=2
        )
        pages = [record(page(f"https://agency.example/{i}").to_bytes(), i) for i in range(5)]
        task = asyncio.ensure_future(built.run(events(*pages), lambda e: e, lambda e: asyncio.sleep(0)))
        await asyncio.sleep(0.3)
        gate.set()
        await task

    run(scenario())
    stories_per_page = len(split(page()).stories)
    assert most <= 2 * stories_per_page  # two pages' sends at most, never five


def test_a_page_over_its_time_budget_is_dead_lettered_and_the_loop_keeps_running() -> None:
    import time

    def slow(raw: RawPage) -> SplitResult:
        if raw.canonical_url.endswith("/slow"):
            time.sleep(1.0)
        return split(raw)

    async def scenario() -> tuple[list[int], int, Outbox]:
        dead = Outbox()
        built = SplitStage(
            slow, Outbox().send, Outbox().send, DeadLetters("split", dead.send), 1_000_000, budget_seconds=0.3
        )
        ticks = 0

        async def heartbeat() -> None:  # the loop must answer while the page is being split
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.02)

        beat = asyncio.ensure_future(heartbeat())
        acked: list[int] = []

        async def ack(event: Consumed) -> None:
            acked.append(event.offset)

        pages = [record(page("https://agency.example/slow").to_bytes(), 0), record(page().to_bytes(), 1)]
        await built.run(events(*pages), lambda e: e, ack)
        beat.cancel()
        return acked, ticks, dead

    acked, ticks, dead = run(scenario())
    assert sorted(acked) == [0, 1]  # the slow page is dead-lettered (so done), the next one split
    assert ticks >= 10
    (letter,) = dead.sent
    assert b"longer than 0.3 s" in letter[1]


def test_a_memory_on_a_worker_thread_writes_through_the_loop() -> None:
    from pipeline.split.memory import LoopStore

    table: dict[str, list[str]] = {}
    calls: list[tuple[object, ...]] = []
    store = LoopStore(table, lambda *args: calls.append(args))
    store["k"] = ["@1", "p"]
    assert table == {} and store.get("k") == ["@1", "p"]  # read back before the loop applied it
    for fn, *args in calls:
        fn(*args)  # type: ignore[operator]
    assert table == {"k": ["@1", "p"]} and store.overlay == {}


def test_a_write_the_loop_could_not_apply_does_not_stay_in_the_overlay() -> None:
    from pipeline.split.memory import LoopStore

    class Refusing(dict[str, list[str]]):
        def __setitem__(self, key: str, value: list[str]) -> None:
            raise TypeError("refused")

    calls: list[tuple[object, ...]] = []
    store = LoopStore(Refusing(), lambda *args: calls.append(args))
    store["k"] = ["@1", "p"]
    for fn, *args in calls:
        with pytest.raises(TypeError):
            fn(*args)  # type: ignore[operator]
    assert store.overlay == {}
