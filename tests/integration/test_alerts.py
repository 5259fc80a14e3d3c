"""Alert rules on the real Elasticsearch: stored, validated by the query parser, tested against the
indexed stories and matched per batch, firing for the teaser that names the keyword, not the article
of the same page."""

from __future__ import annotations

import pytest

from pipeline.alerts.rules import Rule
from pipeline.alerts.store import add_rule, dry_run, get_rule, list_rules, match_batch, remove_rule
from pipeline.bootstrap import ensure_index
from pipeline.config import Settings
from pipeline.errors import UserError
from pipeline.index.client import es_client
from pipeline.index.documents import bulk_action
from pipeline.messages import RawPage
from pipeline.split import split_page

pytestmark = pytest.mark.integration

PAGE = """Harbour workers vote on a new contract after six weeks of talks

Dock workers in the port city voted on Tuesday on a contract that keeps pensions intact and adds two rest days a month, after six weeks of talks with the port authority.

Union leaders said the result would be known on Friday; a strike remains possible if the contract is rejected by a majority of members. (Harbour News Agency)

Related news

President Zelensky met European defence ministers in Kyiv on Monday to discuss air defence systems and the repair of damaged power stations before winter.

Farmers in the northern valleys expect a record apple harvest this autumn after a mild spring and a wet summer, the regional growers' association said.
"""


@pytest.fixture
def indexed(isolated: Settings) -> tuple[Settings, list[str], dict[str, str]]:
    ensure_index(isolated)
    page = RawPage(
        url="https://harbour.example/vote",
        canonical_url="https://harbour.example/vote",
        site="harbour",
        content_type="text/plain",
        body=PAGE,
    )
    stories = split_page(page)
    es = es_client(isolated)
    try:
        response = es.bulk(
            operations=[p for s in stories for p in bulk_action(s, isolated.index_alias)], refresh=True
        )
        assert not response["errors"], response
    finally:
        es.close()
    kinds = {s.id: s.kind for s in stories}
    assert sorted(kinds.values()).count("teaser") >= 2 and "article" in kinds.values()
    return isolated, [s.id for s in stories], kinds


def test_a_rule_fires_for_the_teaser_that_names_the_keyword_not_the_article(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    settings, ids, kinds = indexed
    add_rule(settings, Rule(name="zelensky", query="Zelensky", owner="desk"))
    add_rule(settings, Rule(name="harbour-articles", query='"port authority"', kinds=["article"]))
    add_rule(settings, Rule(name="turkish-only", query="Zelensky", languages=["tr"]))
    assert [r.name for r in list_rules(settings)] == ["harbour-articles", "turkish-only", "zelensky"]

    hits = dry_run(settings, get_rule(settings, "zelensky"))
    assert [h["kind"] for h in hits] == ["teaser"]
    assert "«Zelensky»" in hits[0]["snippet"]

    fired = match_batch(settings, list_rules(settings), ids)  # one request for every rule
    assert sorted((rule.name, kinds[hit["id"]]) for rule, hit in fired) == [
        ("harbour-articles", "article"),
        ("zelensky", "teaser"),
    ]

    remove_rule(settings, "turkish-only")
    assert [r.name for r in list_rules(settings)] == ["harbour-articles", "zelensky"]


def test_a_query_that_does_not_parse_is_refused_with_the_parsers_message(
    indexed: tuple[Settings, list[str], dict[str, str]],
) -> None:
    settings, _, _ = indexed
    with pytest.raises(UserError, match="does not parse"):
        add_rule(settings, Rule(name="broken", query='title:(Zelensky AND "Kyiv'))
    assert list_rules(settings) == []
