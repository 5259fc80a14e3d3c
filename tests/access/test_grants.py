"""Each component's grants: exactly what it needs, under the settings' own names."""

from __future__ import annotations

from pipeline.access.grants import components
from pipeline.config import Settings

SETTINGS = Settings(topic_prefix="desk", index_alias="desk-stories", worker_group="desk")


def test_every_component_has_its_own_principal_named_after_the_group() -> None:
    found = components(SETTINGS)
    assert [c.name for c in found] == ["init", "worker", "scraper", "journalist"]
    assert [c.kafka_user(SETTINGS) for c in found] == ["desk-init", "desk-worker", "desk-scraper", None]
    assert [c.role_name(SETTINGS) for c in found if c.es_role] == [
        "desk-stories-init",
        "desk-stories-worker",
        "desk-stories-journalist",
    ]


def test_only_init_manages_templates_and_the_scraper_never_touches_elasticsearch() -> None:
    found = {c.name: c for c in components(SETTINGS)}
    clusters = {name: (c.es_role or {}).get("cluster", []) for name, c in found.items()}
    assert "manage_index_templates" in clusters["init"]
    assert all(
        "manage_index_templates" not in privileges for name, privileges in clusters.items() if name != "init"
    )
    assert found["scraper"].es_role is None
    worker_indices = found["worker"].es_role["indices"]  # type: ignore[index]
    assert not any(p in ("all", "manage", "delete_index") for i in worker_indices for p in i["privileges"])


def test_the_scraper_writes_pages_and_reads_links_only() -> None:
    scraper = next(c for c in components(SETTINGS) if c.name == "scraper")
    topics = {g.name: g.operations for g in scraper.kafka if g.resource == "topic"}
    assert topics == {
        "desk.pages.v1": ("WRITE", "DESCRIBE"),
        "desk.links.v1": ("READ", "DESCRIBE"),
        "desk.fetched.v1": ("READ", "WRITE", "DESCRIBE"),
    }
    assert not any(g.prefixed and g.resource == "topic" for g in scraper.kafka)


def test_journalists_write_only_alert_rules() -> None:
    journalist = next(c for c in components(SETTINGS) if c.name == "journalist")
    assert journalist.kafka == ()
    writable = [i["names"] for i in journalist.es_role["indices"] if "write" in i["privileges"]]  # type: ignore[index]
    assert writable == [["desk-stories.rules"]]
