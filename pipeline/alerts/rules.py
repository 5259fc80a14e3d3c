"""Alert rules (pure): what a desk editor asks to be told about, and the search that answers it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import UserError
from pipeline.messages import utcnow
from pipeline.search import search_body


class Target(BaseModel):
    """Where an alert goes: a webhook (JSON POST, signed with the shared secret) or the log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: Literal["webhook", "log"]
    url: str | None = Field(None, pattern=r"^https?://", description="Webhook URL.")
    secret: str | None = Field(None, description="Shared secret for the webhook's HMAC-SHA256 signature.")


class Rule(BaseModel):
    """One alert rule. ``query`` is Lucene syntax, as in Kibana's search bar: words, "phrases",
    AND/OR/NOT, wildcards, field:value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,62}$", description="Unique, lowercase.")
    query: str = Field(min_length=1, max_length=10_000)
    languages: list[str] = Field(default_factory=list, description="Only stories in these languages.")
    sites: list[str] = Field(default_factory=list, description="Only stories from these sites.")
    kinds: list[Literal["article", "teaser"]] = Field(default_factory=list)
    owner: str | None = None
    targets: list[Target] = Field(default_factory=lambda: [Target(type="log")])
    created_at: datetime = Field(default_factory=utcnow)

    def filters(self) -> dict[str, list[str]]:
        return {"lang": self.languages, "site": self.sites, "kind": list(self.kinds)}

    def search(
        self, ids: list[str] | None = None, limit: int = 10, fields: list[str] | None = None
    ) -> dict[str, Any]:
        """The search body: the journalist's search, with the rule's filters (and story ids, and
        default fields narrowed to the stories' languages)."""
        return search_body(self.query, self.filters(), limit=limit, ids=ids, fields=fields)

    def shown(self) -> dict[str, Any]:
        """The rule as people may see it: webhook secrets masked."""
        data = self.model_dump(mode="json")
        for target in data["targets"]:
            if target.get("secret"):
                target["secret"] = "***"  # noqa: S105 - a mask, not a password
        return data


def rule_from_options(
    name: str,
    query: str,
    languages: Sequence[str] = (),
    sites: Sequence[str] = (),
    kinds: Sequence[str] = (),
    owner: str | None = None,
    webhook: str | None = None,
    secret: str | None = None,
) -> Rule:
    """A rule as `wirestream alerts add` describes it: always logged, and posted to ``webhook``
    (signed with ``secret``) when given. Invalid input is a UserError that names the field."""
    if secret and not webhook:
        raise UserError("--secret signs webhook calls: give --webhook too")
    targets = [Target(type="log")] + ([Target(type="webhook", url=webhook, secret=secret)] if webhook else [])
    try:
        return Rule.model_validate(
            {
                "name": name,
                "query": query,
                "languages": list(languages),
                "sites": list(sites),
                "kinds": list(kinds),
                "owner": owner,
                "targets": targets,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UserError(f"invalid rule: {first['loc']}: {first['msg']}") from None
