from pipeline.alerts.presearch import Lexicon, RuleIndex, Word, needs, selected
from pipeline.alerts.rules import Rule


def words(query: str) -> set[str] | None:
    found = needs(query)
    return None if found is None else {w.text + ("*" if w.prefix else "") for w in found}


def test_or_needs_a_word_of_each_branch_and_needs_them_all_together() -> None:
    assert words("Zelensky") == {"Zelensky"}
    assert words("Zelensky OR Zelenskyy") == {"Zelensky", "Zelenskyy"}
    assert words("Zelensky Zelenskyy") == {"Zelensky", "Zelenskyy"}  # query_string: OR by default
    assert words("(Kyiv OR Kiev) Odesa") == {"Kyiv", "Kiev", "Odesa"}


def test_and_needs_the_words_of_any_one_required_part() -> None:
    assert words("Zelensky AND (Kyiv OR Kiev)") == {"Zelensky"}  # the part with the fewest words
    assert words("+Zelensky +Biden") in ({"Zelensky"}, {"Biden"})
    assert words("+Zelensky Biden") == {"Zelensky"}  # Biden is optional beside a required clause
    assert words("Zelensky AND NOT Putin") == {"Zelensky"}
    assert words("Zelensky -Putin") == {"Zelensky"}


def test_phrases_fields_prefixes_boosts() -> None:
    assert words('"state of emergency"') == {"emergency"}
    assert words('title:"air defence" OR text:Patriot') == {"defence", "Patriot"}
    assert words("deprem*") == {"deprem*"}
    assert words("Kovacs*") == {"kovacs*"}  # lowercased, as every analyzer's normaliser does
    assert words("Zelensky^2 OR (Kyiv)^3") == {"Zelensky", "Kyiv"}
    assert words(r"covid\-19") == {"covid-19"}


def test_what_cannot_be_read_for_sure_runs_always() -> None:
    for query in (
        "NOT Putin",
        "Zelensky~1",
        "*enskyy",
        "İstanb*",
        "ISTANB*",  # the Turkish analyzer lowers I to a dotless ı
        "site:ilkha",
        "lang:tr AND deprem",  # AND: deprem is required, lang is not a text field
        "published_at:[2026-01-01 TO *]",
        "/zelensk[iy]y?/",
        '"unclosed',
        "(Kyiv OR",
    ):
        found = needs(query)
        if query == "lang:tr AND deprem":
            assert found == frozenset({Word("deprem")})
        else:
            assert found is None, query


def test_selection_keeps_every_rule_that_can_match() -> None:
    rules = [
        Rule(name=n, query=q) for n, q in (("a", "Zelensky"), ("b", "deprem*"), ("c", "the"), ("d", "x~1"))
    ]
    needed = RuleIndex.of({r.name: needs(r.query) for r in rules})
    lexicon = Lexicon()
    for analyzer in ("standard", "turkish"):
        lexicon.add(analyzer, "Zelensky", ["zelensky"])
        lexicon.add(analyzer, "the", ["the"])
    # only Turkish earthquake stories: a, c never match; b by its prefix; d cannot be read
    terms = {"standard": {"depremde", "ankara"}, "turkish": {"deprem", "ankara"}}
    assert [r.name for r in selected(rules, needed, lexicon, terms)] == ["b", "d"]
    # a word an analyzer drops (a stop word) is no requirement there
    dropped = Lexicon()
    dropped.add("standard", "Zelensky", ["zelensky"])
    dropped.add("standard", "the", ["the"])
    dropped.add("turkish", "Zelensky", ["zelensky"])
    dropped.add("turkish", "the", [])
    assert [r.name for r in selected(rules, needed, dropped, terms)] == ["b", "c", "d"]
    # nor is a word not analysed for an analyzer of the batch
    assert [r.name for r in selected(rules, needed, lexicon, {**terms, "german": set()})] == [
        "a",
        "b",
        "c",
        "d",
    ]
