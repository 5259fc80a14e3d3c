"""The sources file: which sites to scrape and how (pure; validated, with errors that name the site).

The JSON Schema in ``schemas/sources.schema.json`` is generated from :class:`SourcesFile` (editors can
validate against it); loading validates with the same model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import UserError

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_HTTP_URL = r"^https?://[^\s/?#]+[^\s]*$"


class Politeness(BaseModel):
    """How hard a site may be hit; every field can be set in ``defaults`` and overridden per site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    poll_interval_seconds: float | None = Field(
        None, gt=0, description="Seconds between discovery rounds of a site (continuous mode)."
    )
    min_interval_seconds: float | None = Field(
        None,
        ge=0,
        description="Least time between two requests to one host (robots.txt Crawl-delay wins if longer).",
    )
    max_connections: int | None = Field(
        None, ge=1, le=2, description="Connections at once to one host (1-2)."
    )
    user_agent: str | None = Field(
        None, min_length=1, description="User-Agent header (and robots.txt agent)."
    )
    publish: Literal["html", "text"] | None = Field(
        None, description="Publish the fetched HTML (the split stage extracts it) or extracted text."
    )


class Listing(BaseModel):
    """A listing page (section front) and the regular expression its article links match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=_HTTP_URL, description="http(s) URL of the listing page.")
    pattern: str = Field(min_length=1, description="Regular expression (re.search) article URLs match.")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value


class Site(Politeness):
    """One news site."""

    name: str = Field(
        description="Short unique name (lowercase letters, digits, . _ -); the stories' `site`."
    )
    language: str | None = Field(
        None, pattern=r"^[a-z]{2,3}$", description="The site's language (BCP-47), a hint for detection."
    )
    feeds: list[str] = Field(default_factory=list, description="RSS or Atom feed URLs.")
    sitemaps: list[str] = Field(default_factory=list, description="(News) sitemap or sitemap index URLs.")
    listings: list[Listing] = Field(default_factory=list, description="Listing pages with a link pattern.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(
                "use lowercase letters, digits, '.', '_' or '-' (at most 63), starting with a letter or digit"
            )
        return value

    @field_validator("feeds", "sitemaps")
    @classmethod
    def _urls(cls, values: list[str]) -> list[str]:
        for index, value in enumerate(values):
            if not re.match(_HTTP_URL, value):
                raise ValueError(f"[{index}] {value!r} is not an http(s) URL")
        return values

    @model_validator(mode="after")
    def _something_to_poll(self) -> Site:
        if not (self.feeds or self.sitemaps or self.listings):
            raise ValueError("give at least one of feeds, sitemaps or listings")
        return self


class SourcesFile(BaseModel):
    """The whole file: optional defaults, then the sites."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Wirestream sources")

    defaults: Politeness = Field(default_factory=Politeness, description="Applies to every site.")
    sites: list[Site] = Field(min_length=1, description="The sites to scrape.")

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesFile:
        seen: set[str] = set()
        for site in self.sites:
            if site.name in seen:
                raise ValueError(f"site name {site.name!r} is used twice")
            seen.add(site.name)
        return self


#: What a site gets when neither it nor ``defaults`` says.
BUILTIN = Politeness(
    poll_interval_seconds=300.0,
    min_interval_seconds=1.0,
    max_connections=2,
    user_agent="Wirestream/0.1 (news monitoring; +https://github.com/wirestream/wirestream)",
    publish="html",
)


class SiteConfig(BaseModel):
    """A site with every politeness field resolved (site, then defaults, then built-in)."""

    model_config = ConfigDict(frozen=True)

    name: str
    language: str | None
    feeds: tuple[str, ...]
    sitemaps: tuple[str, ...]
    listings: tuple[Listing, ...]
    poll_interval_seconds: float
    min_interval_seconds: float
    max_connections: int
    user_agent: str
    publish: Literal["html", "text"]


def resolve(sources: SourcesFile) -> list[SiteConfig]:
    sites = []
    for site in sources.sites:
        merged: dict[str, Any] = {}
        for field in Politeness.model_fields:
            for layer in (site, sources.defaults, BUILTIN):
                value = getattr(layer, field)
                if value is not None:
                    merged[field] = value
                    break
        sites.append(
            SiteConfig(
                name=site.name,
                language=site.language,
                feeds=tuple(site.feeds),
                sitemaps=tuple(site.sitemaps),
                listings=tuple(site.listings),
                **merged,
            )
        )
    return sites


def load_sources(path: Path) -> list[SiteConfig]:
    """Read and validate a sources file; a mistake is a UserError naming the site and the field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UserError(f"{path}: cannot read the sources file: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise UserError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return resolve(SourcesFile.model_validate(raw))
    except ValidationError as exc:
        raise UserError(f"{path}: invalid sources file:\n" + "\n".join(_problems(exc, raw))) from None


def _problems(exc: ValidationError, raw: Any) -> list[str]:
    lines = []
    for error in exc.errors():
        loc = list(error["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "sites" and isinstance(loc[1], int):
            index = loc[1]
            name = None
            if isinstance(raw, dict) and isinstance(raw.get("sites"), list) and index < len(raw["sites"]):
                entry = raw["sites"][index]
                name = entry.get("name") if isinstance(entry, dict) else None
            where = f"site {name!r} (sites[{index}])" if name else f"sites[{index}]"
            loc = loc[2:]
        path = ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in loc).replace(
            ".[", "["
        )
        field = f"{where}: {path}" if where and path else where or path or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {field}: {message}")
    return lines
