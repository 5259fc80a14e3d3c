"""Matching requests and answers (pure): rules grouped into named clauses, the rule by rule retry of a
group that failed, and the alert built from a highlighted hit."""

from __future__ import annotations

from typing import Any

from pipeline.alerts.firing import (
    FEWEST_PER_SEARCH,
    FIND_SEARCHES,
    RULES_PER_SEARCH,
    alert_id,
    build_alert,
    find_body,
    groups,
    msearch_body,
    read_find,
    read_msearch,
    worth_running,
)
from pipeline.alerts.rules import Rule


def rules(n: int) -> list[Rule]:
    return [Rule(name=f"r{i:04d}", query=f"word{i}", languages=["tr"] if i % 2 else []) for i in range(n)]


def test_an_alert_id_is_the_same_for_the_same_rule_and_story_only() -> None:
    assert alert_id("zelensky", "story-1") == alert_id("zelensky", "story-1")
    assert (
        len({alert_id("zelensky", "story-1"), alert_id("zelensky", "story-2"), alert_id("kyiv", "story-1")})
        == 3
    )
    assert alert_id("a", "bc") != alert_id("ab", "c")  # the separator keeps the parts apart


def test_rules_limited_to_languages_absent_from_the_batch_are_not_run() -> None:
    everyone = Rule(name="any", query="x")
    turkish = Rule(name="tr", query="x", languages=["tr"])
    kurdish = Rule(name="ku", query="x", languages=["kmr", "ckb"])
    assert worth_running([everyone, turkish, kurdish], ["en", "ckb"]) == [everyone, kurdish]
    assert worth_running([everyone, turkish, kurdish], None) == [everyone, turkish, kurdish]  # not known


def test_few_rules_are_spread_over_several_small_groups_and_many_over_groups_of_the_most() -> None:
    def sizes(n: int) -> list[int]:
        return [len(group) for group in groups(rules(n))]

    assert sizes(3) == [3]
    assert sizes(25) == [FEWEST_PER_SEARCH, FEWEST_PER_SEARCH, 5]
    assert sizes(80) == [10] * FIND_SEARCHES
    assert sizes(10_000) == [RULES_PER_SEARCH] * 100
    some = rules(333)
    assert [rule for group in groups(some) for rule in group] == some  # all, in order


def test_the_find_step_groups_the_rules_own_searches() -> None:
    many = FIND_SEARCHES * RULES_PER_SEARCH + 1  # the last group holds one rule
    body = find_body(rules(many), ["s1", "s2"], "news-stories")
    headers, searches = body[0::2], body[1::2]
    assert headers == [{"index": "news-stories"}] * (FIND_SEARCHES + 1)
    ids, any_rule = searches[0]["query"]["bool"]["filter"]
    assert ids == {"ids": {"values": ["s1", "s2"]}}  # first: segments without them are skipped
    first = any_rule["bool"]
    assert first["minimum_should_match"] == 1
    assert len(first["should"]) == RULES_PER_SEARCH
    assert len(searches[-1]["query"]["bool"]["filter"][1]["bool"]["should"]) == 1
    own = rules(2)[1].search()["query"]["bool"]
    assert first["should"][1] == {"bool": {"must": own["must"], "filter": own["filter"]}}  # the rule's own
    assert searches[0]["_source"] is False and searches[0]["size"] == 2


def test_only_groups_that_matched_or_failed_are_searched_rule_by_rule() -> None:
    group = rules(2 * FEWEST_PER_SEARCH + 1)
    answer: dict[str, Any] = {
        "responses": [
            {"hits": {"hits": [{"_id": "s2"}]}},
            {"hits": {"hits": []}},
            {"error": {"type": "search_phase_execution_exception"}},
        ]
    }
    todo = read_find(group, ["s1", "s2", "s3"], answer)
    assert (
        todo
        == [
            (group[:FEWEST_PER_SEARCH], ["s2"]),  # matched: only the stories it matched
            (group[2 * FEWEST_PER_SEARCH :], ["s1", "s2", "s3"]),  # failed: every story, rule by rule
        ]
    )


def test_the_detail_step_is_each_rules_own_search_highlighted() -> None:
    body = msearch_body(rules(2), ["s1", "s2"], "idx")
    first = body[1]
    assert first["query"] == rules(2)[0].search(ids=["s1", "s2"])["query"]
    assert first["query"]["bool"]["must"][0] == {"ids": {"values": ["s1", "s2"]}}
    assert "highlight" in first and first["sort"] == ["_doc"] and first["size"] == 2


def test_a_rule_that_fails_is_reported_and_the_others_kept() -> None:
    hit = {"_id": "s1", "_score": None, "_source": {"id": "s1"}, "highlight": {}}
    answer = {
        "responses": [
            {"error": {"root_cause": [{"reason": "Cannot parse 'x AND (': Encountered <EOF>"}]}},
            {"hits": {"hits": [hit]}},
        ]
    }
    matches = read_msearch(rules(2), answer)
    assert [(rule.name, reason) for rule, reason in matches.errors] == [
        ("r0000", "Cannot parse 'x AND (': Encountered <EOF>")
    ]
    assert [(rule.name, h["id"]) for rule, h in matches.hits] == [("r0001", "s1")]


def test_an_alert_carries_the_story_and_what_matched() -> None:
    rule = Rule(name="zelensky", query="Zelensky", owner="ua-desk")
    hit = {
        "id": "s1",
        "kind": "teaser",
        "title": "Zelensky meets ministers",
        "url": None,
        "page_url": "https://x.example/a",
        "site": "x",
        "lang": "en",
        "first_seen_at": "2026-11-24T01:00:00Z",
        "snippet": "President «Zelensky» met",
        "highlight": {"title": ["«Zelensky» meets ministers"], "text_en": ["President «Zelensky» met"]},
    }
    alert = build_alert(rule, hit)
    assert alert.id == alert_id("zelensky", "s1") and alert.owner == "ua-desk" and alert.query == "Zelensky"
    assert alert.url == "https://x.example/a"  # no own URL: the page's
    assert (
        alert.highlights["title"] == ["«Zelensky» meets ministers"]
        and alert.snippet == "President «Zelensky» met"
    )
