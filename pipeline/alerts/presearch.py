"""The presearcher (pure): which rules can match a batch of stories, before Elasticsearch is asked.

As Lucene's Monitor does it: each rule's query is read once into the words a matching story must
contain at least one of (:func:`needs`); a batch's stories give their indexed terms; only the rules
one of whose needed words is among them run. The selection is a superset of the rules that match:

* a query is read as Elasticsearch's ``query_string`` reads it (default operator OR): an OR needs
  one word of each branch (the union), an AND or ``+`` clause needs the words of any one of its
  required parts (the one with the fewest), ``NOT``/``-`` clauses need nothing, a phrase needs any
  one of its words, ``word*`` needs a term starting with ``word``;
* what cannot be read for sure (fuzzy ``~``, ranges, regular expressions, leading wildcards,
  non-text fields such as ``site:``, a query that does not parse) makes the rule run always;
* a word is compared in the form each field indexes it: its analysed forms per analyzer (by
  Elasticsearch's ``_analyze``, see ``terms.py``) against the batch's terms per analyzer; a word
  an analyzer turns into nothing (a stop word) is no requirement for that analyzer's fields.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.alerts.rules import Rule


@dataclass(frozen=True)
class Word:
    """A word the query needs (``prefix``: any term starting with it)."""

    text: str
    prefix: bool = False


#: The words of which a matching story contains at least one; None: no requirement (always run).
Needs = frozenset[Word] | None

_TOKEN = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<phrase>"(?:[^"\\]|\\.)*"(?:~\d+)?)|(?P<op>&&|\|\||!(?=\s|\()'
    r"|[+\-!](?=\S))|(?P<range>[\[{][^\]}]*[\]}])|(?P<regex>/(?:[^/\\]|\\.)*/)|(?P<word>(?:[^\s()\"\\]|\\.)+))"
)
_TEXT_FIELD = re.compile(r"^(title|text)(_[a-z]{2,3})?(\.raw)?$|^\*$")
_NEEDS_NOTHING: frozenset[Word] = frozenset()


class _Unreadable(Exception):
    pass


def needs(query: str) -> Needs:
    """The words a story matching ``query`` contains one of; None when that cannot be said."""
    try:
        tokens = _tokens(query)
        node, rest = _clauses(tokens, 0)
        if rest != len(tokens):
            raise _Unreadable
    except (_Unreadable, IndexError, RecursionError):
        return None
    return node if node else None  # an empty set: nothing certain (e.g. only NOT clauses)


def _tokens(query: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    while position < len(query):
        if query[position:].strip() == "":
            break
        match = _TOKEN.match(query, position)
        if match is None or match.end() == position:
            raise _Unreadable
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _clauses(tokens: list[tuple[str, str]], i: int) -> tuple[Needs, int]:
    """A sequence of clauses up to a closing parenthesis: (needs, next index)."""
    required: list[Needs] = []
    optional: list[Needs] = []
    pending_and = False
    previous_optional: Needs | None = None
    has_previous = False
    while i < len(tokens) and tokens[i][0] != "close":
        kind, text = tokens[i]
        occur = ""
        if kind == "op" or (kind == "word" and text in ("AND", "OR", "NOT")):
            op = {"&&": "AND", "||": "OR", "!": "NOT", "+": "+", "-": "NOT"}.get(text, text)
            if op == "AND":
                pending_and = True
                i += 1
                continue
            if op == "OR":
                i += 1
                continue
            occur = op
            i += 1
        clause, i = _clause(tokens, i)
        if occur == "NOT":
            has_previous = pending_and = False
            continue
        if occur == "+" or pending_and:
            if pending_and and has_previous and previous_optional is not None:
                # "a AND b": the previous clause becomes required too
                optional.remove(previous_optional)
                required.append(previous_optional)
            required.append(clause)
            previous_optional = None
        else:
            optional.append(clause)
            previous_optional = clause
        has_previous = True
        pending_and = False
    if required:
        constrained = [r for r in required if r is not None and r]
        if not constrained:
            return None, i
        return min(constrained, key=lambda words: (len(words), -max(len(w.text) for w in words))), i
    if not optional or any(o is None or not o for o in optional):
        return None, i
    union: set[Word] = set()
    for words in optional:
        assert words is not None
        union |= words
    return frozenset(union), i


def _clause(tokens: list[tuple[str, str]], i: int) -> tuple[Needs, int]:
    kind, text = tokens[i]
    if kind == "open":
        inner, i = _clauses(tokens, i + 1)
        if i >= len(tokens) or tokens[i][0] != "close":
            raise _Unreadable
        return inner, _boost(tokens, i + 1)
    field_value = _field_of(text) if kind == "word" else None
    if field_value is not None:
        field, value = field_value
        if not _TEXT_FIELD.match(field):
            return None, _skip_value(tokens, i, value)
        if value == "":  # field:(...) or field:"..."
            return _clause(tokens, i + 1)
        return _word(value), i + 1
    if kind == "phrase":
        if "~" in text.rsplit('"', 1)[1]:
            return None, i + 1  # a sloppy phrase: its words still count, but keep it simple
        words = [w for w in re.split(r"\s+", _unescape(text.rsplit('"', 1)[0][1:])) if w]
        if not words:
            return None, i + 1
        return frozenset({Word(max(words, key=len))}), i + 1
    if kind == "word":
        return _word(text), i + 1
    return None, i + 1  # a range or a regular expression


def _field_of(text: str) -> tuple[str, str] | None:
    match = re.match(r"^((?:[^\s:\\]|\\.)+):(.*)$", text)
    if match is None or match.group(1) in ("http", "https"):
        return None
    return match.group(1), match.group(2)


def _skip_value(tokens: list[tuple[str, str]], i: int, value: str) -> int:
    if value:
        return i + 1
    if i + 1 < len(tokens) and tokens[i + 1][0] == "open":
        depth, j = 0, i + 1
        while j < len(tokens):
            depth += {"open": 1, "close": -1}.get(tokens[j][0], 0)
            j += 1
            if depth == 0:
                break
        return j
    return i + 2


def _boost(tokens: list[tuple[str, str]], i: int) -> int:
    return i + 1 if i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].startswith("^") else i


def _word(text: str) -> Needs:
    text = re.sub(r"\^[\d.]+$", "", text)  # a boost
    if re.search(r"(?<!\\)~[\d.]*$", text):
        return None  # fuzzy
    text = _unescape(text)
    if not text:
        return None
    wild = re.search(r"[*?]", text)
    if wild is None:
        return frozenset({Word(text)})
    head = text[: wild.start()]
    if not re.fullmatch(r"[A-Za-z0-9]+", head) or "I" in head:
        return None  # a leading wildcard, or letters an analyzer may normalise its own way (Turkish I)
    return frozenset({Word(head.lower(), prefix=True)})


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@dataclass
class Lexicon:
    """The analysed forms of the rules' words, indexed by form: analyzer -> form -> words."""

    by_form: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    analysed: dict[str, set[str]] = field(default_factory=dict)  # analyzer -> words analysed
    dropped: dict[str, set[str]] = field(default_factory=dict)  # analyzer -> words it turns into nothing

    def add(self, analyzer: str, word: str, forms: Iterable[str]) -> None:
        self.analysed.setdefault(analyzer, set()).add(word)
        found = False
        for form in forms:
            self.by_form.setdefault(analyzer, {}).setdefault(form, set()).add(word)
            found = True
        if not found:
            self.dropped.setdefault(analyzer, set()).add(word)

    def knows(self, analyzer: str, word: str) -> bool:
        return word in self.analysed.get(analyzer, ())

    def __len__(self) -> int:
        return sum(len(words) for words in self.analysed.values())


@dataclass(frozen=True)
class RuleIndex:
    """A set of rules by the words they need: built once per set of rules, so a batch costs the
    words its stories hold, not the number of rules."""

    always: frozenset[str]  # rules that run whatever the batch holds
    by_word: Mapping[str, frozenset[str]]  # exact word -> rule names
    by_prefix: Mapping[str, frozenset[str]]  # prefix -> rule names
    words: frozenset[str]

    @classmethod
    def of(cls, needed: Mapping[str, Needs]) -> RuleIndex:
        always: set[str] = set()
        by_word: dict[str, set[str]] = {}
        by_prefix: dict[str, set[str]] = {}
        for name, words in needed.items():
            if words is None:
                always.add(name)
                continue
            for word in words:
                (by_prefix if word.prefix else by_word).setdefault(word.text, set()).add(name)
        return cls(
            frozenset(always),
            {w: frozenset(n) for w, n in by_word.items()},
            {p: frozenset(n) for p, n in by_prefix.items()},
            frozenset(by_word),
        )


def selected(
    rules: Sequence[Rule], index: RuleIndex, lexicon: Lexicon, terms: Mapping[str, set[str]]
) -> list[Rule]:
    """The rules that can match stories whose indexed terms are ``terms`` (analyzer -> terms)."""
    present: set[str] = set()
    for analyzer, indexed in terms.items():
        forms = lexicon.by_form.get(analyzer, {})
        for term in indexed:
            present |= forms.get(term, set())
        present |= lexicon.dropped.get(analyzer, set())  # a stop word there: no requirement
        present |= index.words - lexicon.analysed.get(analyzer, set())  # not analysed: be safe
    names = set(index.always)
    for word in present & index.words:
        names |= index.by_word[word]
    ordered = [sorted(indexed) for indexed in terms.values()]
    for prefix, owners in index.by_prefix.items():
        if any(_has_prefix(terms_, prefix) for terms_ in ordered):
            names |= owners
    return [rule for rule in rules if rule.name in names]


def _has_prefix(sorted_terms: list[str], prefix: str) -> bool:
    at = bisect.bisect_left(sorted_terms, prefix)
    return at < len(sorted_terms) and sorted_terms[at].startswith(prefix)
