"""Topic names: <prefix>.<name>.v<version>, the prefix from the settings."""

from __future__ import annotations

import dataclasses

from pipeline.config import Settings
from pipeline.topics import ALL, DEADLETTER, PAGES, STORIES, TopicNames


def test_names_are_prefix_name_version() -> None:
    names = TopicNames.from_settings(Settings(topic_prefix="news"))
    assert names.pages == "news.pages.v1"
    assert names.stories == "news.stories.v1"
    assert names.deadletter == "news.deadletter.v1"


def test_the_prefix_comes_from_the_settings() -> None:
    names = TopicNames.from_settings(Settings(topic_prefix="t0a1b2c3d4"))
    assert names.pages == "t0a1b2c3d4.pages.v1"
    assert names.stories.startswith("t0a1b2c3d4.")
    assert names.deadletter.startswith("t0a1b2c3d4.")


def test_the_topics_are_distinct() -> None:
    names = TopicNames.from_settings(Settings(topic_prefix="news"))
    assert len(set(vars(names).values())) == len(ALL) == 7
    assert len({spec.name for spec in ALL}) == 7


def test_a_contract_change_bumps_the_version_in_the_name() -> None:
    assert dataclasses.replace(PAGES, version=2).full_name("news") == "news.pages.v2"


def test_every_topic_is_declared_with_its_value_model() -> None:
    from pipeline import messages

    assert {spec.value for spec in ALL} == {
        "RawPage",
        "Story",
        "TeaserLink",
        "DeadLetter",
        "FetchRecord",
        "IndexedBatch",
        "Alert",
    }
    assert all(isinstance(getattr(messages, spec.value), type) for spec in ALL)
    assert ALL[0] == PAGES and ALL[1] == STORIES and DEADLETTER in ALL


def test_different_prefixes_never_share_topics() -> None:
    a = TopicNames.from_settings(Settings(topic_prefix="test-a"))
    b = TopicNames.from_settings(Settings(topic_prefix="test-b"))
    assert not set(vars(a).values()) & set(vars(b).values())
