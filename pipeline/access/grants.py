"""What each component may do, and nothing more (pure: data from the settings).

* ``init``: Kafka: create and configure the topics; Elasticsearch: the index template and indices.
* ``worker``: Kafka: read and write the topics, its consumer group, faust's own topics;
  Elasticsearch: write stories, alerts and clusters, read rules.
* ``scraper`` (also ``publish``): Kafka: write pages, read links, read and write the fetched log.
* ``journalist``: Elasticsearch: read stories, clusters and alerts; write alert rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pipeline.alerts.indices import alerts_index, rules_index
from pipeline.cluster.indices import clusters_index, members_index
from pipeline.config import Settings
from pipeline.topics import TopicNames


@dataclass(frozen=True)
class KafkaGrant:
    """Operations on one Kafka resource (``topic``, ``group`` or ``cluster``), by name or prefix."""

    resource: str
    name: str
    operations: tuple[str, ...]
    prefixed: bool = False

    def describe(self) -> str:
        what = "cluster" if self.resource == "cluster" else f"{self.resource} {self.name}"
        return f"{what}{'*' if self.prefixed else ''}: {', '.join(self.operations)}"


def index_line(index: dict[str, Any]) -> str:
    """One index privilege of a role descriptor, for people."""
    return f"{', '.join(index['privileges'])} on {', '.join(index['names'])}"


@dataclass(frozen=True)
class Component:
    name: str
    purpose: str
    kafka: tuple[KafkaGrant, ...]
    es_role: dict[str, Any] | None  # an Elasticsearch role descriptor (cluster, indices)

    def kafka_user(self, settings: Settings) -> str | None:
        """The Kafka principal's user name (``wirestream-<component>``), when it uses Kafka."""
        return f"{settings.worker_group}-{self.name}" if self.kafka else None

    def role_name(self, settings: Settings) -> str:
        return f"{settings.index_alias}-{self.name}"


TOPIC_ADMIN = ("CREATE", "DESCRIBE", "DESCRIBE_CONFIGS", "ALTER_CONFIGS")
TOPIC_USE = ("READ", "WRITE", "DESCRIBE", "DESCRIBE_CONFIGS")


CLUSTER_DESCRIBE = KafkaGrant("cluster", "kafka-cluster", ("DESCRIBE",))
#: Of the maintenance actions, the worker needs only a refresh (before rules run on a batch).
WORKER_WRITES = ["read", "write", "create_index", "view_index_metadata", "indices:admin/refresh"]


def components(settings: Settings) -> list[Component]:
    return [_init(settings), _worker(settings), _scraper(settings), _journalist(settings)]


def _stories(alias: str) -> list[str]:
    """The stories' alias and indices, the fired alerts and the cluster state."""
    return [alias, f"{alias}-*", alerts_index(alias), clusters_index(alias), members_index(alias)]


def _init(settings: Settings) -> Component:
    alias = settings.index_alias
    return Component(
        "init",
        "`wirestream init`: creates the topics, the index template and the indices",
        (KafkaGrant("topic", settings.topic_prefix + ".", TOPIC_ADMIN, prefixed=True), CLUSTER_DESCRIBE),
        {
            "cluster": ["monitor", "manage_index_templates"],
            "indices": [{"names": [alias, f"{alias}-*", f"{alias}.*"], "privileges": ["all"]}],
        },
    )


def _worker(settings: Settings) -> Component:
    group, alias = settings.worker_group, settings.index_alias
    return Component(
        "worker",
        "`wirestream worker`: splits, indexes, clusters and alerts",
        (
            KafkaGrant("topic", settings.topic_prefix + ".", TOPIC_USE, prefixed=True),
            KafkaGrant("topic", f"{group}-", ("ALL",), True),  # faust's own: table changelogs, the assignor's
            KafkaGrant("group", group, ("READ", "DESCRIBE")),
            CLUSTER_DESCRIBE,
        ),
        {
            # the presearcher analyses rule words with named analyzers (no index): that one action
            "cluster": ["monitor", "cluster:admin/analyze"],
            "indices": [
                {"names": _stories(alias), "privileges": WORKER_WRITES},
                {"names": [rules_index(alias)], "privileges": ["read", "view_index_metadata"]},
            ],
        },
    )


def _scraper(settings: Settings) -> Component:
    topics = TopicNames.from_settings(settings)
    return Component(
        "scraper",
        "`wirestream scrape` and `wirestream publish`: fetch pages and publish them",
        (
            KafkaGrant("topic", topics.pages, ("WRITE", "DESCRIBE")),
            KafkaGrant("topic", topics.links, ("READ", "DESCRIBE")),
            KafkaGrant("topic", topics.fetched, ("READ", "WRITE", "DESCRIBE")),
            KafkaGrant("group", f"{settings.worker_group}-scrape-", ("READ", "DESCRIBE"), True),
        ),
        None,
    )


def _journalist(settings: Settings) -> Component:
    alias = settings.index_alias
    return Component(
        "journalist",
        "`wirestream search` and `wirestream alerts`: read stories, manage alert rules",
        (),
        {
            "cluster": ["monitor"],
            "indices": [
                {"names": _stories(alias), "privileges": ["read", "view_index_metadata"]},
                {"names": [rules_index(alias)], "privileges": ["read", "write", "view_index_metadata"]},
            ],
        },
    )
