"""The messages on Wirestream's topics: frozen, versioned pydantic models, JSON on the wire.

Every model carries ``schema_version``; a consumer validates at the boundary (:func:`decode`) and
turns anything that does not validate into a :class:`DeadLetter`, never into a crash loop.
``schemas/*.schema.json`` is generated from these models (``wirestream schemas export``) and a test
fails when the committed files drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipeline.errors import PermanentError

#: Language code for "no language could be detected" (BCP-47 "undetermined").
UNDETERMINED = "und"

UrlStr = Annotated[str, Field(min_length=1, max_length=4096)]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Message(BaseModel):
    """Base of every wire message: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()


class RawPage(Message):
    """A fetched page, as the scraper (or `wirestream publish`) saw it. Topic key: canonical URL."""

    schema_version: Literal[1] = 1
    url: UrlStr = Field(description="The URL the page was fetched from.")
    canonical_url: UrlStr = Field(description="Canonical URL (rel=canonical, tracking parameters dropped).")
    site: str = Field(min_length=1, max_length=200, description="Short site name from the sources file.")
    fetched_at: datetime = Field(default_factory=utcnow)
    content_type: Literal["text/html", "text/plain"] = Field(description="HTML or already-extracted text.")
    charset: str = Field("utf-8", description="Charset the body was decoded from (the body is UTF-8 now).")
    body: str = Field(description="The page, HTML or plain text.")
    feed_title: str | None = Field(None, description="Title the feed or sitemap gave, when known.")
    published_at: datetime | None = Field(None, description="Publication time the source gave, when known.")
    language_hint: str | None = Field(None, description="Language the sources file declares for the site.")


StoryKind = Literal["article", "teaser"]


class Story(Message):
    """One story cut from a page: the main article or one teaser. Topic key: story id."""

    schema_version: Literal[1] = 1
    id: str = Field(min_length=1, max_length=128, description="Deterministic id (see pipeline.fingerprint).")
    kind: StoryKind
    title: str | None = None
    text: str
    lang: str = Field(UNDETERMINED, description="BCP-47 primary language subtag, 'und' when unknown.")
    lang_confidence: float = Field(0.0, ge=0.0, le=1.0)
    site: str
    url: str | None = Field(None, description="The story's own URL when the page links it.")
    page_url: str = Field(description="Canonical URL of the page the story was cut from.")
    published_at: datetime | None = None
    first_seen_at: datetime = Field(default_factory=utcnow)
    fingerprint: str = Field(description="Hash of the normalised text: equal text, equal fingerprint.")
    credit: str | None = Field(None, description="Agency credit, e.g. 'ILKHA', 'AA', 'Reuters'.")
    position: int = Field(ge=0, description="0 for the article, then teasers in page order.")


class TeaserLink(Message):
    """A teaser that is only a headline and a link: not a story, but a page to fetch. Key: the URL."""

    schema_version: Literal[1] = 1
    url: UrlStr
    title: str
    site: str
    page_url: str = Field(description="The page the link was found on.")
    found_at: datetime = Field(default_factory=utcnow)


class DeadLetter(Message):
    """A message a stage could not process, with the reason and the original bytes."""

    schema_version: Literal[1] = 1
    stage: str = Field(description="Stage that gave up: split, index, ...")
    reason: str = Field(description="Why, in words a person can act on.")
    error_type: str = Field(description="Exception class or Elasticsearch error type.")
    original: bytes = Field(description="The original message value, byte for byte (base64 in JSON).")
    original_key: bytes | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    failed_at: datetime = Field(default_factory=utcnow)


class FetchRecord(Message):
    """What the scraper has done with a URL; compacted topic, key ``page:<canonical URL>`` or
    ``feed:<URL>``. Replicas and restarts read it to skip pages already published and to send
    conditional requests for feeds."""

    schema_version: Literal[1] = 1
    kind: Literal["page", "feed"]
    url: UrlStr
    site: str = Field(min_length=1, max_length=200)
    at: datetime = Field(default_factory=utcnow, description="When it happened.")
    etag: str | None = Field(None, max_length=1024, description="A feed's ETag, for If-None-Match.")
    last_modified: str | None = Field(
        None, max_length=200, description="A feed's Last-Modified, for If-Modified-Since."
    )


class IndexedBatch(Message):
    """Stories the index stage has written (internal topic): the alert stage matches them against
    the rules once they are searchable. No key."""

    schema_version: Literal[1] = 1
    ids: list[str] = Field(min_length=1, description="Ids of the stories written, in batch order.")
    languages: list[str] = Field(min_length=1, description="Languages of those stories ('und' included).")
    indexed_at: datetime = Field(default_factory=utcnow)


class Alert(Message):
    """A rule matched a story. Fired once per (rule, cluster of copies of the story); key: the alert id."""

    schema_version: Literal[1] = 1
    id: str = Field(description="Deterministic: hash of rule name and cluster id (the story id if none).")
    rule: str = Field(description="Name of the rule that matched.")
    owner: str | None = Field(None, description="The rule's owner.")
    query: str = Field(description="The rule's query, as written.")
    story_id: str = Field(description="The story that fired it (the first copy of its cluster that matched).")
    cluster_id: str | None = Field(None, description="The story's cluster: copies of it on other sites.")
    kind: StoryKind
    title: str | None = None
    url: str = Field(description="The story's own URL, else the page it was cut from.")
    page_url: str
    site: str
    lang: str
    snippet: str = Field(description="The best matching passage, matches in «...».")
    highlights: dict[str, list[str]] = Field(
        default_factory=dict, description="Highlighted matches per field, matches in «...»."
    )
    first_seen_at: datetime = Field(description="Fetch time of the page the story was cut from.")
    fired_at: datetime = Field(default_factory=utcnow)


M = TypeVar("M", bound=Message)

#: Every wire model, by the schema file name it is exported to.
MODELS: dict[str, type[Message]] = {
    "raw-page": RawPage,
    "story": Story,
    "teaser-link": TeaserLink,
    "fetch-record": FetchRecord,
    "dead-letter": DeadLetter,
    "indexed-batch": IndexedBatch,
    "alert": Alert,
}


def decode(model: type[M], data: bytes | None) -> M:
    """Validate one wire value; anything wrong is a PermanentError with a readable reason."""
    if data is None:
        raise PermanentError("empty message value (tombstone)")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(message)'}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise PermanentError(f"not a valid {model.__name__} v1: {problems}") from exc
