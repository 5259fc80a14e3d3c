"""Story -> Elasticsearch document, bulk action and index template."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pipeline.index.documents import bulk_action, document, version
from pipeline.index.template import LANGUAGE_ANALYZERS, TIME_FIELD, index_template, mappings
from pipeline.messages import Story

SEEN = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)


def make_story(**overrides: object) -> Story:
    fields: dict[str, object] = {
        "id": "story-1",
        "kind": "article",
        "title": "Deprem sonrası arama kurtarma çalışmaları sürüyor",
        "text": "Depremde yıkılan binalarda arama kurtarma çalışmaları devam ediyor.",
        "lang": "tr",
        "lang_confidence": 0.99,
        "site": "ilkha",
        "url": "https://news.example/tr/deprem",
        "page_url": "https://news.example/tr/deprem",
        "published_at": datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
        "first_seen_at": SEEN,
        "fingerprint": "f" * 32,
        "credit": "ILKHA",
        "position": 0,
    }
    fields.update(overrides)
    return Story.model_validate(fields)


def test_document_copies_the_story_fields() -> None:
    story = make_story()
    doc = document(story)
    for name in ("id", "kind", "title", "text", "lang", "site", "url", "page_url", "credit", "fingerprint"):
        assert doc[name] == getattr(story, name)
    assert doc["lang_confidence"] == 0.99
    assert doc["position"] == 0
    assert datetime.fromisoformat(doc["first_seen_at"]) == SEEN
    assert datetime.fromisoformat(doc["published_at"]) == story.published_at


def test_document_drops_schema_version_and_missing_values() -> None:
    doc = document(make_story(title=None, url=None, published_at=None, credit=None))
    assert "schema_version" not in doc
    for name in ("title", "url", "published_at", "credit", "title_tr"):
        assert name not in doc
    assert None not in doc.values()


def test_document_adds_language_analysed_copies_for_a_known_language() -> None:
    story = make_story(lang="tr")
    doc = document(story)
    assert doc["title_tr"] == story.title
    assert doc["text_tr"] == story.text


@pytest.mark.parametrize("lang", ["und", "kmr"])
def test_document_has_no_language_copies_without_an_analyzer(lang: str) -> None:
    doc = document(make_story(lang=lang))
    assert doc["lang"] == lang
    assert not [name for name in doc if name.startswith(("title_", "text_"))]


@pytest.mark.parametrize("lang", [*sorted(LANGUAGE_ANALYZERS), "und", "kmr"])
def test_every_document_field_is_mapped_because_the_mapping_is_strict(lang: str) -> None:
    props = mappings()["properties"]
    assert mappings()["dynamic"] == "strict"
    doc = document(make_story(lang=lang))
    unmapped = sorted(set(doc) - set(props))
    assert not unmapped, f"Elasticsearch would reject a '{lang}' story: unmapped {unmapped}"


def test_language_fields_use_the_language_analyzer() -> None:
    props = mappings()["properties"]
    for lang, analyzer in LANGUAGE_ANALYZERS.items():
        assert props[f"title_{lang}"] == {"type": "text", "analyzer": analyzer}
        assert props[f"text_{lang}"] == {"type": "text", "analyzer": analyzer}


def test_bulk_action_is_an_externally_versioned_index_by_story_id() -> None:
    story = make_story()
    action, source = bulk_action(story, "news-stories")
    assert action == {
        "index": {
            "_index": "news-stories",
            "_id": "story-1",
            "version": 1_773_480_413_589,
            "version_type": "external_gte",
        }
    }
    assert source == document(story)


def test_version_is_first_seen_at_in_milliseconds() -> None:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert version(make_story()) == (SEEN - epoch) // timedelta(milliseconds=1)


def test_a_later_fetch_gets_a_higher_version() -> None:
    earlier = make_story(first_seen_at=SEEN)
    later = make_story(first_seen_at=SEEN + timedelta(milliseconds=1))
    assert version(later) > version(earlier)
    assert version(make_story(first_seen_at=SEEN + timedelta(days=1))) > version(later)


def test_index_template_covers_the_alias_indices() -> None:
    template = index_template("news-stories", shards=2, replicas=1)
    assert template["index_patterns"] == ["news-stories-*"]
    settings = template["template"]["settings"]
    assert settings["number_of_shards"] == 2
    assert settings["number_of_replicas"] == 1
    assert template["template"]["mappings"] == mappings()


def test_index_template_has_first_seen_at_as_a_date_time_field() -> None:
    assert TIME_FIELD == "first_seen_at"
    props = index_template("news-stories")["template"]["mappings"]["properties"]
    assert props["first_seen_at"]["type"] == "date"
    assert props["published_at"]["type"] == "date"
