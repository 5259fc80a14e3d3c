"""The README's demo command, on the real stack (with this test's own topics and index)."""

from __future__ import annotations

import pytest

from pipeline.config import Settings
from pipeline.demo.runner import run, sample_pages
from pipeline.search import search

pytestmark = pytest.mark.integration


def test_demo_indexes_every_sample_story_and_searches_find_them(isolated: Settings) -> None:
    lines: list[str] = []
    result = run(isolated, lines.append, timeout=150)
    assert result["pages"] == len(sample_pages())
    assert result["stories"] >= result["pages"]
    output = "\n".join(lines)
    assert "stories indexed" in output and "next:" in output
    for sample in sample_pages():
        for query in sample.searches[:1]:
            assert search(isolated, query), f"demo search {query!r} found nothing"
