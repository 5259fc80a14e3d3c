"""The split pool with real processes: the same stories as splitting in-process, site memory kept
per lane and written back, and a page over its budget dead-lettered with its lane replaced."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from pipeline.errors import PermanentError
from pipeline.messages import RawPage
from pipeline.split import split_page
from pipeline.split.pool import SplitPool, lane_of, usable_cores
from tests.split.test_segment import AGENCY_PAGE

FOOTER = "Our newsroom is funded by readers like you: support independent journalism from the valley today."


def text_page(site: str, n: int, body: str) -> RawPage:
    url = f"https://{site}.example/{n}"
    return RawPage(url=url, canonical_url=url, site=site, content_type="text/plain", body=body)


def valley(n: int) -> RawPage:
    body = (
        f"Valley story number {n}\n\n"
        f"Paragraph one of valley story {n} explains what happened near the river on day {n}.\n"
        f"Paragraph two of valley story {n} adds what the mayor said about it afterwards.\n{FOOTER}"
    )
    return text_page("valley", n, body)


@pytest.fixture
def pool() -> Iterator[tuple[SplitPool, dict[str, list[str]]]]:
    shared: dict[str, list[str]] = {}
    built = SplitPool(2, "fasttext+langdetect", 60.0, shared, 1000, 30)
    yield built, shared
    built.close()


def test_pages_split_in_the_pool_as_they_are_in_process(pool: tuple[SplitPool, dict[str, list[str]]]) -> None:
    built, _ = pool

    def distinct(n: int) -> str:  # every line its own, so site memory has nothing to learn
        return "\n".join(
            f"{line} ({n}-{j})" if line.strip() else line for j, line in enumerate(AGENCY_PAGE.split("\n"))
        )

    pages = [text_page(site, n, distinct(n)) for n in range(3) for site in ("agency", "wire", "post")]

    async def split_all() -> list[list[str]]:
        results = await asyncio.gather(*(built.split(p, p.to_bytes()) for p in pages))
        return [[s.id for s in r.stories] for r in results]

    assert asyncio.run(split_all()) == [[s.id for s in split_page(p)] for p in pages]


def test_site_memory_lives_in_the_sites_lane_and_is_written_back(
    pool: tuple[SplitPool, dict[str, list[str]]],
) -> None:
    built, shared = pool

    async def in_order() -> str:
        for n in range(3):
            await built.split(valley(n), valley(n).to_bytes())
        last = await built.split(valley(3), valley(3).to_bytes())
        return last.stories[0].text

    assert FOOTER not in asyncio.run(in_order())
    assert shared and all(key.startswith("valley|") for key in shared)  # the footer's entry came back


def test_a_page_over_its_budget_is_refused_and_its_lane_works_again() -> None:
    shared: dict[str, list[str]] = {}
    built = SplitPool(1, "fasttext+langdetect", 0.5, shared, 1000, 30)
    links = "".join(f'<li><a href="/l/{i}">Link number {i}</a></li>' for i in range(50_000))
    heavy = RawPage(
        url="https://heavy.example/x",
        canonical_url="https://heavy.example/x",
        site="heavy",
        content_type="text/html",
        body=f"<html><body><ul>{links}</ul></body></html>",
    )

    async def scenario() -> int:
        await built.split(valley(0), valley(0).to_bytes())  # the lane is up (models loaded)
        with pytest.raises(PermanentError, match=r"longer than 0\.5 s"):
            await built.split(heavy, heavy.to_bytes())
        result = await built.split(valley(1), valley(1).to_bytes())
        return len(result.stories)

    try:
        assert asyncio.run(scenario()) == 1
    finally:
        built.close()


def test_lanes_are_stable_and_cores_are_counted() -> None:
    assert lane_of("ilkha", 4) == lane_of("ilkha", 4)
    assert {lane_of(f"site{i}", 4) for i in range(100)} == {0, 1, 2, 3}
    assert usable_cores() >= 1
