import asyncio
from typing import Any

from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats
from pipeline.alerts.terms import Presearcher


class FakeElasticsearch:
    """The two answers the presearcher asks for: the batch's terms, and the rules' words analysed."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms

    async def mtermvectors(self, **request: Any) -> dict[str, Any]:
        vectors = {"text": {"terms": {term: {"term_freq": 1} for term in self.terms}}}
        return {"docs": [{"_id": i, "found": True, "term_vectors": vectors} for i in request["ids"]]}

    class _Indices:
        async def analyze(self, analyzer: str, text: str) -> dict[str, Any]:
            tokens, at = [], 0
            for word in text.split("\n")[:-1]:
                tokens.append({"token": word.lower(), "start_offset": at})
                at += len(word) + 1
            return {"tokens": tokens}

    indices = _Indices()


def test_the_rules_of_the_batchs_languages_are_chosen_from_the_books_index_built_once() -> None:
    book = [
        Rule(name="storm", query="storm"),
        Rule(name="storm-tr", query="storm", languages=["tr"]),
        Rule(name="flood", query="flood"),
    ]
    presearcher = Presearcher(FakeElasticsearch(["storm", "wind"]), "stories", AlertStats())  # type: ignore[arg-type]
    built: list[int] = []
    original = presearcher._needs

    def counting(query: str) -> object:
        built.append(1)
        return original(query)

    presearcher._needs = counting  # type: ignore[method-assign,assignment]
    english = [rule for rule in book if not rule.languages]

    async def twice() -> list[list[str]]:
        return [
            [r.name for r in await presearcher.select(english, ["a", "b"], ["en"], book=book)]
            for _ in range(2)
        ]

    assert asyncio.run(twice()) == [["storm"], ["storm"]]
    assert len(built) == len(book)  # the book's rules were read once, for both batches
