"""Every Kafka topic Wirestream uses, declared once.

Names are ``<prefix>.<name>.v<version>``; the prefix is the ``WIRESTREAM_TOPIC_PREFIX`` setting (tests
give each test its own). The version changes when a topic's message contract changes incompatibly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.config import Settings

#: Pages may be large; the cap on what a stage accepts is WIRESTREAM_MAX_PAGE_BYTES, checked in the
#: split stage so an oversized page is dead-lettered with a reason instead of refused by the broker.
PAGES_MAX_MESSAGE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class TopicSpec:
    name: str
    version: int
    key: str
    value: str
    configs: dict[str, str] = field(default_factory=dict)

    def full_name(self, prefix: str) -> str:
        return f"{prefix}.{self.name}.v{self.version}"


PAGES = TopicSpec(
    "pages",
    1,
    key="canonical URL",
    value="RawPage",
    configs={"max.message.bytes": str(PAGES_MAX_MESSAGE_BYTES), "compression.type": "producer"},
)
STORIES = TopicSpec(
    "stories", 1, key="story id", value="Story", configs={"max.message.bytes": str(PAGES_MAX_MESSAGE_BYTES)}
)
LINKS = TopicSpec("links", 1, key="URL", value="TeaserLink", configs={"cleanup.policy": "compact"})
DEADLETTER = TopicSpec(
    "deadletter",
    1,
    key="original key",
    value="DeadLetter",
    configs={
        "max.message.bytes": str(2 * PAGES_MAX_MESSAGE_BYTES),
        "retention.ms": str(30 * 24 * 3600 * 1000),
    },
)
FETCHED = TopicSpec(
    "fetched", 1, key="page:<URL> or feed:<URL>", value="FetchRecord", configs={"cleanup.policy": "compact"}
)
INDEXED = TopicSpec(
    "indexed",
    1,
    key="none",
    value="IndexedBatch",
    configs={"retention.ms": str(7 * 24 * 3600 * 1000)},
)
ALERTS = TopicSpec(
    "alerts", 1, key="alert id", value="Alert", configs={"retention.ms": str(30 * 24 * 3600 * 1000)}
)
ALL = (PAGES, STORIES, LINKS, DEADLETTER, FETCHED, INDEXED, ALERTS)


@dataclass(frozen=True)
class TopicNames:
    pages: str
    stories: str
    links: str
    deadletter: str
    fetched: str
    indexed: str
    alerts: str

    @classmethod
    def from_settings(cls, settings: Settings) -> TopicNames:
        p = settings.topic_prefix
        return cls(
            pages=PAGES.full_name(p),
            stories=STORIES.full_name(p),
            links=LINKS.full_name(p),
            deadletter=DEADLETTER.full_name(p),
            fetched=FETCHED.full_name(p),
            indexed=INDEXED.full_name(p),
            alerts=ALERTS.full_name(p),
        )
