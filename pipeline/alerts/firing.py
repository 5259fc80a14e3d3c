"""Matching a batch of stories against the rules, and the alerts that fire (pure: request bodies in,
answers out; the adapters in store.py and stage.py send them)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.alerts.rules import Rule
from pipeline.messages import Alert
from pipeline.search import hit_summary


def alert_id(rule: str, story_id: str) -> str:
    """The same (rule, story) always gives the same id: the alerts index refuses a second one."""
    return hashlib.sha256(f"{rule}\x00{story_id}".encode()).hexdigest()[:32]


def msearch_body(rules: Sequence[Rule], ids: Sequence[str], index: str) -> list[dict[str, Any]]:
    """One ``_msearch`` holding every rule's search, each limited to the stories ``ids``."""
    searches: list[dict[str, Any]] = []
    for rule in rules:
        searches += [{"index": index}, rule.search(ids=list(ids), limit=len(ids))]
    return searches


@dataclass(frozen=True)
class Matches:
    hits: list[tuple[Rule, dict[str, Any]]]  # (rule, hit summary)
    errors: list[tuple[Rule, str]]  # a rule Elasticsearch could not run, with its reason


def read_msearch(rules: Sequence[Rule], answer: dict[str, Any]) -> Matches:
    """Pair each rule with its hits; a rule that failed is reported, not fatal to the others."""
    hits: list[tuple[Rule, dict[str, Any]]] = []
    errors: list[tuple[Rule, str]] = []
    for rule, response in zip(rules, answer["responses"], strict=True):
        if "error" in response:
            error = response["error"]
            cause = error.get("root_cause", [error])[0] if isinstance(error, dict) else error
            errors.append((rule, str(cause.get("reason", cause) if isinstance(cause, dict) else cause)))
            continue
        hits += [(rule, hit_summary(hit)) for hit in response["hits"]["hits"]]
    return Matches(hits, errors)


def build_alert(rule: Rule, hit: dict[str, Any]) -> Alert:
    """The alert for one matching story (``hit`` as :func:`pipeline.search.hit_summary` gives it)."""
    highlights = {
        field: [str(fragment) for fragment in fragments]
        for field, fragments in hit.get("highlight", {}).items()
    }
    return Alert(
        id=alert_id(rule.name, hit["id"]),
        rule=rule.name,
        owner=rule.owner,
        query=rule.query,
        story_id=hit["id"],
        kind=hit["kind"],
        title=hit.get("title"),
        url=hit.get("url") or hit["page_url"],
        page_url=hit["page_url"],
        site=hit["site"],
        lang=hit.get("lang", "und"),
        snippet=hit.get("snippet", ""),
        highlights=highlights,
        first_seen_at=hit["first_seen_at"],
    )
