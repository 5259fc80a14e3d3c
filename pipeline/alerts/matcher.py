"""Which rules fire on which of a batch's stories: the searches of firing.py, run in Elasticsearch.

Two searches per group of batches: every rule as clauses of one ``_msearch`` limited to the batch's
ids (which groups matched at all), then, only for the groups that matched, each rule's own
highlighted search over the stories its group matched.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from elasticsearch import AsyncElasticsearch

from pipeline.alerts.firing import (
    build_alert,
    find_body,
    msearch_body,
    read_find,
    read_msearch,
    worth_running,
)
from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats
from pipeline.alerts.terms import Presearcher
from pipeline.index.template import fields_for
from pipeline.messages import Alert

log = logging.getLogger("pipeline.alerts")


class Matcher:
    def __init__(self, es: AsyncElasticsearch, alias: str, stats: AlertStats, presearch: bool = True) -> None:
        self.es = es
        self.alias = alias
        self.stats = stats
        self.presearcher = Presearcher(es, alias, stats) if presearch else None

    async def match(
        self, ids: Sequence[str], rules: Sequence[Rule], languages: Sequence[str] | None = None
    ) -> list[Alert]:
        """Every (rule, story) match among ``ids`` (stories in ``languages``, when known)."""
        book, rules = rules, worth_running(rules, languages)
        self.stats.batches += 1
        self.stats.stories += len(ids)
        if not rules or not ids:
            return []
        if self.presearcher is not None and languages:  # only the rules one of whose words is there
            rules = await self.presearcher.select(rules, ids, languages, book=book)
            if not rules:
                return []
        await self.es.indices.refresh(index=self.alias)  # what was just indexed must be searchable
        fields = fields_for(languages) if languages else None
        found = await self.es.msearch(searches=find_body(rules, ids, self.alias, fields))
        todo = read_find(rules, ids, dict(found))
        if not todo:
            return []
        searches: list[dict[str, Any]] = []
        for group, matched in todo:
            searches += msearch_body(group, matched, self.alias, fields)
        answer = await self.es.msearch(searches=searches)
        matches = read_msearch([rule for group, _ in todo for rule in group], dict(answer))
        for rule, error in matches.errors:
            self.stats.rule_errors += 1
            self.stats.last_error = f"rule {rule.name!r}: {error}"
            log.warning("alert rule %r failed: %s", rule.name, error, extra={"stage": "alerts"})
        return [build_alert(rule, hit) for rule, hit in matches.hits]
