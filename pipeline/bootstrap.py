"""`wirestream init`: create the topics and the Elasticsearch template + alias. Safe to run again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from elasticsearch import AuthorizationException, BadRequestError
from kafka.admin import NewTopic
from kafka.errors import (
    ClusterAuthorizationFailedError,
    TopicAlreadyExistsError,
    TopicAuthorizationFailedError,
)

from pipeline import kafka_clients
from pipeline.alerts.indices import ensure_alert_indices
from pipeline.cluster.indices import ensure_cluster_indices
from pipeline.config import Settings
from pipeline.errors import NotAllowed
from pipeline.index.client import es_client
from pipeline.index.template import first_index, index_template, mappings
from pipeline.retry import RetryPolicy, log_retries
from pipeline.topics import ALL, TopicNames, TopicSpec

log = logging.getLogger(__name__)
T = TypeVar("T")


#: What Kafka's ACLs and Elasticsearch's roles answer to a principal that may not do something.
REFUSALS = (AuthorizationException, TopicAuthorizationFailedError, ClusterAuthorizationFailedError)


def ensure_topics(settings: Settings, specs: Iterable[TopicSpec] = ALL) -> list[str]:
    """Create those of ``specs`` that are missing; returns the names created. A principal sees only
    the topics its ACLs let it describe: a component passes its own (the scraper: pages, links,
    fetched), and one that may not create a missing topic is told that setting up is init's."""
    admin = kafka_clients.admin(settings, "wirestream-init")
    try:
        existing = set(admin.list_topics())
        created: list[str] = []
        for spec in specs:
            name = spec.full_name(settings.topic_prefix)
            if name in existing:
                continue
            try:
                admin.create_topics(
                    [
                        NewTopic(
                            name,
                            settings.topic_partitions,
                            settings.topic_replication,
                            topic_configs=spec.configs,
                        )
                    ]
                )
                created.append(name)
            except TopicAlreadyExistsError:  # another init or worker won the race
                pass
            except REFUSALS as exc:
                raise NotAllowed(
                    f"topic {name} is missing and these credentials may not create it ({exc}); "
                    "run `wirestream init` as the init principal first"
                ) from None
        return created
    finally:
        admin.close()


def ensure_index(settings: Settings) -> bool:
    """Put the index template, create the first index with the alias if missing. True if created."""
    es = es_client(settings)
    try:
        alias = settings.index_alias
        es.indices.put_index_template(name=alias, **index_template(alias))
        if es.indices.exists_alias(name=alias):  # fields added since its indices were made
            es.indices.put_mapping(index=alias, properties=mappings()["properties"])
            return False
        if es.indices.exists(index=alias):
            raise RuntimeError(
                f"an index named {alias!r} exists where the alias should be (written before `init`?); "
                "reindex or delete it, then run `wirestream init` again"
            )
        try:
            es.indices.create(index=first_index(alias), aliases={alias: {"is_write_index": True}})
        except BadRequestError as exc:  # created concurrently by another worker
            if exc.error != "resource_already_exists_exception":
                raise
            return False
        return True
    finally:
        es.close()


def with_retries(what: str, fn: Callable[[], T], timeout: float) -> T:
    """Call ``fn`` until it succeeds or ``timeout`` passes (services may still be starting). A
    refusal by Kafka's ACLs or Elasticsearch's roles ends it at once: waiting does not grant it."""

    def attempt() -> T:
        try:
            return fn()
        except REFUSALS as exc:
            raise NotAllowed(
                f"{what} is not allowed to these credentials ({exc}); setting up is the init "
                "principal's work (`wirestream access show`): run `wirestream init` as it, and the "
                "worker with --no-init"
            ) from None

    policy = RetryPolicy(base=0.5, cap=5.0, deadline=timeout)
    return policy.call_sync(attempt, on_retry=log_retries(log, f"{what} not possible yet", {"stage": "init"}))


def init(settings: Settings, timeout: float = 120.0) -> dict[str, Any]:
    created = with_retries("creating topics", lambda: ensure_topics(settings), timeout)
    index_created = with_retries("creating the index", lambda: ensure_index(settings), timeout)
    with_retries("creating the alert indices", lambda: ensure_alert_indices(settings), timeout)
    with_retries("creating the cluster indices", lambda: ensure_cluster_indices(settings), timeout)
    return {
        "topics_created": created,
        "topics": vars(TopicNames.from_settings(settings)),
        "alias": settings.index_alias,
        "index_created": index_created,
    }


def scoped(settings: Settings, tag: str, **overrides: Any) -> Settings:
    """Settings with their own topics, index alias and consumer group (named after ``tag``), for a
    benchmark or a test; :func:`teardown` deletes what they created."""
    return settings.model_copy(
        update={
            "topic_prefix": tag,
            "index_alias": f"{tag}-stories",
            "worker_group": tag,
            "worker_web_enabled": False,
            **overrides,
        }
    )


def teardown(settings: Settings) -> None:
    """The inverse of `init`, for benchmarks and tests that made their own prefix and alias: delete
    the alias's indices and template, the prefix's topics, the consumer group's faust topics, and
    the consumer groups (the worker's and the scraper's)."""
    es = es_client(settings)
    try:
        # by name (wildcard deletes are refused): the stories' indices and the alert rules' index
        for index in es.indices.get(index=f"{settings.index_alias}-*,{settings.index_alias}.*"):
            es.indices.delete(index=index)
        if es.indices.exists_index_template(name=settings.index_alias):
            es.indices.delete_index_template(name=settings.index_alias)
    finally:
        es.close()
    admin = kafka_clients.admin(settings, "wirestream-teardown")
    try:
        ours = (f"{settings.topic_prefix}.", f"{settings.worker_group}-")
        doomed = [t for t in admin.list_topics() if t.startswith(ours)]
        if doomed:
            admin.delete_topics(doomed)
        groups = [
            group["group_id"]
            for group in admin.list_groups()
            if group["group_id"] == settings.worker_group or group["group_id"].startswith(ours)
        ]
        if groups:
            try:
                admin.delete_groups(groups)
            except Exception as exc:  # a group still has members: it goes when they leave
                log.warning("consumer groups not deleted: %s", exc)
    finally:
        admin.close()
