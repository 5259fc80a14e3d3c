"""Counters of the alert and notify stages, shown on the worker's /health/ page and in its logs."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class AlertStats:
    batches: int = 0
    stories: int = 0
    fired: int = 0
    already_fired: int = 0
    copies: int = 0  # copies of a story (same cluster) matching a rule that already fired for it
    rule_errors: int = 0
    rules_skipped: int = 0  # rules the presearcher left out: none of their words in the batch
    delivered: int = 0
    delivery_failures: int = 0  # failed attempts, retried or not
    retrying: int = 0  # notifications that failed their immediate attempts, to be tried later
    redelivered: int = 0  # of those, delivered by a later round
    given_up: int = 0  # notifications past the retry horizon (marked failed, dead-lettered)
    last_error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
