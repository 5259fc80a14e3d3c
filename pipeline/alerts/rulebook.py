"""The alert rules as the worker sees them: loaded from ``<alias>.rules``, cached, and reloaded only
when the index changed. One rule book (one cache) serves the alert and the notify stages; each
stage passes its own Elasticsearch client."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from elasticsearch import AsyncElasticsearch
from pydantic import ValidationError

from pipeline.alerts.indices import rules_index
from pipeline.alerts.rules import Rule
from pipeline.alerts.stats import AlertStats

log = logging.getLogger("pipeline.alerts")

RULES_PAGE = 5_000
"""Rules read per search: one search answers at most 10,000 hits, and a rule book may hold more."""


def rules_page(index: str, after: list[Any] | None) -> dict[str, Any]:
    """The search for the rules that sort after ``after`` (a rule's name is its unique ``_id``)."""
    request: dict[str, Any] = {"index": index, "size": RULES_PAGE, "sort": ["name"]}
    if after is not None:
        request["search_after"] = after
    return request


def next_after(page: list[dict[str, Any]]) -> list[Any] | None:
    """Where the page after ``page`` starts, or None when ``page`` was the last."""
    return page[-1]["sort"] if len(page) >= RULES_PAGE else None


def parse_rules(hits: Iterable[dict[str, Any]]) -> tuple[list[Rule], list[str]]:
    """Rules from search hits of the rules index, and a reason for each hit that is not a valid rule
    (written around `alerts add`: skipped, never fatal)."""
    rules: list[Rule] = []
    problems: list[str] = []
    for hit in hits:
        try:
            rules.append(Rule.model_validate(hit["_source"]))
        except ValidationError as exc:
            problems.append(f"rule {hit['_id']!r} is not a valid rule: {exc.errors()[0]['msg']}")
    return rules, problems


class RuleBook:
    def __init__(self, alias: str, stats: AlertStats) -> None:
        self.index = rules_index(alias)
        self.stats = stats
        self._rules: list[Rule] = []
        self._version: tuple[int, int, int] | None = None

    async def rules(self, es: AsyncElasticsearch) -> list[Rule]:
        """The current rules; reloaded only when the rules index changed (one small request)."""
        probe = await es.search(
            index=self.index,
            size=1,
            sort=[{"_seq_no": "desc"}],
            seq_no_primary_term=True,
            track_total_hits=True,
            source=False,
            ignore_unavailable=True,
        )
        top = probe["hits"]["hits"]
        # Any add or update raises the highest sequence number; a delete lowers the count.
        version = (
            int(probe["hits"]["total"]["value"]),
            int(top[0]["_seq_no"]) if top else -1,
            int(top[0]["_primary_term"]) if top else -1,
        )
        if version != self._version:
            hits: list[dict[str, Any]] = []
            after: list[Any] | None = None
            while version[0]:
                page = (await es.search(**rules_page(self.index, after)))["hits"]["hits"]
                hits += page
                if (after := next_after(page)) is None:
                    break
            self._rules, problems = parse_rules(hits)
            for problem in problems:
                self.stats.rule_errors += 1
                self.stats.last_error = problem
                log.warning("%s; skipped", problem, extra={"stage": "alerts"})
            self._version = version
            log.info("loaded %d alert rules", len(self._rules), extra={"stage": "alerts"})
        return self._rules

    def rule(self, name: str) -> Rule | None:
        """A rule from the last load (the notifier's view of targets)."""
        return next((rule for rule in self._rules if rule.name == name), None)
