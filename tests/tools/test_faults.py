"""The fault battery's load: distinct pages (site memory must not drop their text) and poison of
every kind the split stage must dead-letter."""

from __future__ import annotations

import pytest

from pipeline.errors import PermanentError
from pipeline.messages import RawPage, decode
from pipeline.split import SiteMemory, split, split_page
from pipeline.tools.bench.alerts import article_pages
from pipeline.tools.bench.faultrun import distinct_page
from pipeline.tools.bench.faults import _poison


def test_distinct_pages_are_one_story_each_and_site_memory_keeps_all_their_text() -> None:
    articles = article_pages()
    pages = [
        distinct_page(i, articles[i % len(articles)], "faults.example") for i in range(3 * len(articles))
    ]
    memory = SiteMemory()
    for page in pages:
        alone = split_page(page)
        with_memory = split(page, memory=memory).stories
        assert len(alone) == 1 and [s.id for s in with_memory] == [alone[0].id]
        assert with_memory[0].text == alone[0].text
    assert memory.store == {}


@pytest.mark.parametrize("n", range(5))
def test_every_kind_of_poison_is_refused_at_decoding(n: int) -> None:
    _, value = _poison(n)
    with pytest.raises((PermanentError, ValueError)):
        decode(RawPage, value)
