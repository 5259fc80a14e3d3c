"""The presearcher's questions to Elasticsearch: the analysed forms of the rules' words (per
analyzer, ``_analyze``, cached), and the indexed terms of a batch's stories (``_mtermvectors``).

Term vectors are not stored, so Elasticsearch analyses each story again to answer: that is most of
the alert stage's cost. For the language analyzers in :data:`DERIVED` it is not asked: their terms
are the standard field's terms, each analysed on its own (cached per analyzer), see
:meth:`Presearcher._derived`."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence

from elasticsearch import AsyncElasticsearch

from pipeline.alerts.presearch import Lexicon, Needs, RuleIndex, needs, selected
from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats
from pipeline.index.template import LANGUAGE_ANALYZERS, fields_for

log = logging.getLogger("pipeline.alerts")

#: Words analysed per request; cached forms and parsed queries kept at most.
WORDS_PER_REQUEST = 1000
CACHED = 500_000
#: Standard terms whose derived forms are kept, over all analyzers (about 20 MB per 100,000; all are
#: forgotten at once when full: analysing a batch's 15,000 terms again takes about 40 ms per analyzer).
DERIVED_CACHED = 250_000

#: Language analyzers that are the ``standard`` analyzer's tokens, each changed on its own: the
#: standard tokenizer; a character filter only if it acts within a token (persian: a zero-width
#: non-joiner becomes a space); lower-casing first, or a filter whose result does not depend on case
#: (elision, the English possessive, sorani's and greek's own normalising, which lower-case too);
#: then filters that map one token to tokens of its own (normalising, stemming, stop words). A
#: story's terms in such a field are exactly its ``standard`` terms, each analysed alone, so they
#: are derived from the standard field's terms instead of asked for. Left out: cjk (pairs of
#: characters across tokens), thai (its own tokenizer), turkish and irish (their lower-casing of
#: "I" and of prefixes depends on the case the standard field has already removed).
#: ``tests/integration/test_alerts.py`` checks each against Elasticsearch's own term vectors.
DERIVED = frozenset(
    {
        "arabic", "armenian", "basque", "bengali", "bulgarian", "catalan", "czech", "danish",
        "dutch", "english", "estonian", "finnish", "french", "galician", "german", "greek", "hindi",
        "hungarian", "indonesian", "italian", "latvian", "lithuanian", "norwegian", "persian",
        "portuguese", "romanian", "russian", "serbian", "sorani", "spanish", "swedish",
    }
)  # fmt: skip


def analyzer_of(field: str) -> str:
    """The analyzer of a default field (``title``/``text``: standard; ``text_tr``: turkish)."""
    lang = field.partition("_")[2]
    return LANGUAGE_ANALYZERS[lang] if lang else "standard"


class Presearcher:
    """Narrows the rules to those that can match a batch (``presearch.py``)."""

    def __init__(self, es: AsyncElasticsearch, alias: str, stats: AlertStats) -> None:
        self.es = es
        self.alias = alias
        self.stats = stats
        self.needed: dict[str, Needs] = {}  # query -> needs
        self.lexicon = Lexicon()  # the rules' words in each analyzer's forms
        self.derived: dict[str, dict[str, tuple[str, ...]]] = {}  # analyzer -> standard term -> its forms
        self._indexed: Sequence[Rule] = ()  # the rules the index was last asked for (kept: see _index)
        self._rule_index: tuple[int, RuleIndex] | None = None

    async def select(
        self,
        rules: Sequence[Rule],
        ids: Sequence[str],
        languages: Sequence[str],
        book: Sequence[Rule] | None = None,
    ) -> list[Rule]:
        """Of ``rules``, those that can match the stories ``ids``. ``book``: all the rules, of which
        ``rules`` is a part (e.g. those for the batch's languages): indexed once for every batch."""
        if not rules or not ids:
            return list(rules)
        fields = fields_for(languages)
        analyzers = sorted({analyzer_of(field) for field in fields})
        index = self._index(rules if book is None else book)
        try:
            terms = await self._terms(ids, [f for f in fields if analyzer_of(f) not in DERIVED])
            if terms is None:
                return list(rules)
            for analyzer in analyzers:
                if analyzer in DERIVED:
                    terms[analyzer] = await self._derived(analyzer, terms["standard"])
            await self._analyse(set(index.words), analyzers)
        except Exception as exc:  # the presearcher only saves work: run every rule
            log.warning("presearch skipped: %s", exc, extra={"stage": "alerts"})
            return list(rules)
        chosen = selected(rules, index, self.lexicon, terms)
        self.stats.rules_skipped += len(rules) - len(chosen)
        return chosen

    def _index(self, rules: Sequence[Rule]) -> RuleIndex:
        """The rules by the words they need, kept while the rules (names and queries) stay. The
        same list as last time (the rule book hands out one list until it reloads; holding it keeps
        its identity from being reused) is not even hashed again."""
        if self._rule_index is not None and rules is self._indexed:
            return self._rule_index[1]
        key = hash(tuple((rule.name, rule.query) for rule in rules))
        if self._rule_index is None or self._rule_index[0] != key:
            needed = {rule.name: self._needs(rule.query) for rule in rules}
            self._rule_index = (key, RuleIndex.of(needed))
        self._indexed = rules
        return self._rule_index[1]

    def _needs(self, query: str) -> Needs:
        if query not in self.needed:
            if len(self.needed) > CACHED:
                self.needed.clear()
            self.needed[query] = needs(query)
        return self.needed[query]

    async def _terms(self, ids: Sequence[str], fields: list[str]) -> dict[str, set[str]] | None:
        """Analyzer -> the batch's indexed terms; None when a story could not be read."""
        answer = await self.es.mtermvectors(
            index=self.alias,
            ids=list(ids),
            fields=fields,
            term_statistics=False,
            field_statistics=False,
            positions=False,
            offsets=False,
            payloads=False,
        )
        terms: dict[str, set[str]] = {analyzer_of(field): set() for field in fields}
        for doc in answer["docs"]:
            if not doc.get("found"):
                return None
            for field, vector in (doc.get("term_vectors") or {}).items():
                terms.setdefault(analyzer_of(field), set()).update(vector.get("terms", {}))
        return terms

    async def _derived(self, analyzer: str, standard: set[str]) -> set[str]:
        """The terms ``analyzer`` indexes for text whose standard terms are ``standard`` (one of
        :data:`DERIVED`): each standard term analysed alone, cached. For the stories of a batch
        together this is a superset of what the analyzer's fields hold (they hold it only for the
        stories in its language): the selection stays a superset of the rules that match."""
        known = self.derived.setdefault(analyzer, {})
        todo = sorted(standard.difference(known))
        if sum(map(len, self.derived.values())) + len(todo) > DERIVED_CACHED:
            for cached in self.derived.values():
                cached.clear()
            todo = sorted(standard)
        for start in range(0, len(todo), WORDS_PER_REQUEST):
            for (_, term), forms in (
                await self._analysed(analyzer, todo[start : start + WORDS_PER_REQUEST])
            ).items():
                known[term] = forms
        return {form for term in standard for form in known[term]}

    async def _analyse(self, words: set[str], analyzers: list[str]) -> None:
        if len(self.lexicon) > CACHED:
            self.lexicon = Lexicon()
        for analyzer in analyzers:
            known = self.lexicon.analysed.get(analyzer, set())
            todo = sorted(words - known)
            # cjk makes pairs of neighbouring characters: its words one by one, never joined
            size = 1 if analyzer == "cjk" else WORDS_PER_REQUEST
            for start in range(0, len(todo), size):
                part = todo[start : start + size]
                for (_, word), forms in (await self._analysed(analyzer, part)).items():
                    self.lexicon.add(analyzer, word, forms)

    async def _analysed(self, analyzer: str, words: list[str]) -> dict[tuple[str, str], tuple[str, ...]]:
        """The forms of each word: the words joined by newlines, each token given back to the word
        its offset falls in."""
        starts, text = [], ""
        for word in words:
            starts.append(len(text))
            text += word + "\n"
        answer = await self.es.indices.analyze(analyzer=analyzer, text=text)
        forms: list[list[str]] = [[] for _ in words]
        for token in answer.get("tokens", []):
            forms[bisect.bisect_right(starts, int(token["start_offset"])) - 1].append(str(token["token"]))
        return {(analyzer, word): tuple(found) for word, found in zip(words, forms, strict=True)}
