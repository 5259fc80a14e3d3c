import asyncio
from typing import Any

from pipeline.alerts import terms
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


class RecordingElasticsearch(FakeElasticsearch):
    """Also notes the fields asked for and the texts analysed (the fake analyzers lower-case)."""

    def __init__(self, terms: list[str]) -> None:
        super().__init__(terms)
        self.fields: list[list[str]] = []
        outer = self

        class Indices(FakeElasticsearch._Indices):
            async def analyze(self, analyzer: str, text: str) -> dict[str, Any]:
                outer.analysed.append((analyzer, text.count("\n")))
                return await super().analyze(analyzer, text)

        self.analysed: list[tuple[str, int]] = []
        self.indices = Indices()  # type: ignore[assignment]

    async def mtermvectors(self, **request: Any) -> dict[str, Any]:
        self.fields.append(request["fields"])
        return await super().mtermvectors(**request)


def test_derivable_language_fields_are_not_asked_for_and_their_terms_come_from_the_standard_ones() -> None:
    es = RecordingElasticsearch(["storms", "wind"])
    presearcher = Presearcher(es, "stories", AlertStats())  # type: ignore[arg-type]
    rules = [Rule(name="storm", query="storms"), Rule(name="calm", query="calm")]
    chosen = asyncio.run(presearcher.select(rules, ["a"], ["en", "tr"]))
    assert [r.name for r in chosen] == ["storm"]
    assert es.fields == [["title", "text", "title_tr", "text_tr"]]  # english derived, turkish asked
    assert presearcher.derived["english"] == {"storms": ("storms",), "wind": ("wind",)}


def test_the_derived_forms_are_forgotten_all_at_once_when_the_cache_is_full(monkeypatch: Any) -> None:
    monkeypatch.setattr(terms, "DERIVED_CACHED", 3)
    es = RecordingElasticsearch([])
    presearcher = Presearcher(es, "stories", AlertStats())  # type: ignore[arg-type]

    async def derive() -> list[set[str]]:
        return [
            await presearcher._derived("english", {"a", "b"}),
            await presearcher._derived("english", {"a", "b"}),  # cached: nothing analysed
            await presearcher._derived("french", {"c", "d"}),  # 4 > 3: everything forgotten first
        ]

    assert asyncio.run(derive()) == [{"a", "b"}, {"a", "b"}, {"c", "d"}]
    assert es.analysed == [("english", 2), ("french", 2)]
    assert presearcher.derived == {"english": {}, "french": {"c": ("c",), "d": ("d",)}}
