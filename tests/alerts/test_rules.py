"""A rule is the journalist's search plus filters: the same request `wirestream search` sends."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline.alerts.rules import Rule, Target
from pipeline.search import search_body


def test_a_rule_searches_like_a_journalist_with_its_filters() -> None:
    rule = Rule(name="ua-desk", query='Zelensky AND "air defence"', languages=["en", "uk"], kinds=["teaser"])
    body = rule.search(ids=["a", "b"])
    ids, own = body["query"]["bool"]["must"]
    assert ids == {"ids": {"values": ["a", "b"]}}  # first: segments without them are skipped
    assert own["bool"]["must"] == [{"query_string": {"query": 'Zelensky AND "air defence"'}}]
    assert {"terms": {"lang": ["en", "uk"]}} in own["bool"]["filter"]
    assert {"terms": {"kind": ["teaser"]}} in own["bool"]["filter"]
    assert own == rule.search()["query"]  # the same search, limited to the stories
    plain = Rule(name="plain", query="Zelensky").search()
    assert plain == search_body("Zelensky")  # no filters: exactly the plain search


def test_rules_log_by_default_and_validate_their_fields() -> None:
    assert Rule(name="a", query="x").targets == [Target(type="log")]
    with pytest.raises(ValidationError):
        Rule(name="Bad Name", query="x")
    with pytest.raises(ValidationError):
        Rule(name="a", query="")
    with pytest.raises(ValidationError):
        Target(type="webhook", url="ftp://x.example/")
