"""Language-aware analysis: an inflected word finds its other forms in stories of that language."""

from __future__ import annotations

import pytest

from pipeline.bootstrap import ensure_index
from pipeline.config import Settings
from pipeline.fingerprint import article_id, fingerprint
from pipeline.index.client import es_client
from pipeline.index.documents import bulk_action
from pipeline.messages import Story
from pipeline.search import search

pytestmark = pytest.mark.integration

# (lang, text of the story, a different inflected form to search for)
CASES = [
    ("en", "Firefighters were running between the burning houses all night.", "runs"),
    ("tr", "Öğrenciler yeni kitapları kütüphaneden ödünç aldı.", "kitaplar"),
    ("ar", "أعلنت الوزارة عن افتتاح معرض الكتاب في العاصمة.", "كتاب"),
    ("ru", "Учителя пришли в школу с новыми книгами для детей.", "книги"),
]


def story(lang: str, text: str) -> Story:
    url = f"https://lang.example/{lang}"
    return Story(
        id=article_id("lang", url),
        kind="article",
        title=None,
        text=text,
        lang=lang,
        lang_confidence=1.0,
        site="lang",
        url=url,
        page_url=url,
        fingerprint=fingerprint(text),
        position=0,
    )


@pytest.fixture
def indexed(isolated: Settings) -> Settings:
    ensure_index(isolated)
    es = es_client(isolated)
    try:
        operations = [
            part for lang, text, _ in CASES for part in bulk_action(story(lang, text), isolated.index_alias)
        ]
        response = es.bulk(operations=operations, refresh=True)
        assert not response["errors"], response
    finally:
        es.close()
    return isolated


@pytest.mark.parametrize(("lang", "text", "other_form"), CASES, ids=[c[0] for c in CASES])
def test_inflected_form_finds_the_story(indexed: Settings, lang: str, text: str, other_form: str) -> None:
    assert other_form not in text.split()  # the exact word is not there: only stemming can find it
    hits = search(indexed, other_form)
    assert [h["lang"] for h in hits] == [lang]


def test_a_plain_search_does_not_stem_other_languages(indexed: Settings) -> None:
    assert search(indexed, "text:runs") == []  # the language-neutral field has no stemming
