"""The Elasticsearch index template for stories (pure data).

* keyword fields to filter on (site, lang, kind, url, ...), dates (``published_at``, and
  ``first_seen_at``, the time field of Kibana's data view);
* ``title`` and ``text`` analysed with the ``standard`` analyzer: searchable in every language;
* ``title_<lang>`` / ``text_<lang>``: the same text again, analysed for its language (stemming,
  stop words) when Elasticsearch has an analyzer for it, so ``depremler`` finds ``depremde``.
  ``index.query.default_field`` covers all of them, so a plain Kibana search uses them too.

``schemas/index-template.json`` is this, exported by ``wirestream schemas export``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Story language (BCP-47) -> Elasticsearch language analyzer. On the official distribution these
#: come with the analysis-common module; the local stack adds them with pipeline/stack/maven/es-analysis.
LANGUAGE_ANALYZERS: dict[str, str] = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "bn": "bengali",
    "bg": "bulgarian",
    "ca": "catalan",
    "zh": "cjk",
    "ja": "cjk",
    "ko": "cjk",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "et": "estonian",
    "fi": "finnish",
    "fr": "french",
    "gl": "galician",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lv": "latvian",
    "lt": "lithuanian",
    "no": "norwegian",
    "nb": "norwegian",
    "fa": "persian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "ckb": "sorani",
    "es": "spanish",
    "sv": "swedish",
    "th": "thai",
    "tr": "turkish",
}

TIME_FIELD = "first_seen_at"

#: The fields a query without field names searches (the index's ``index.query.default_field``).
DEFAULT_FIELDS = ["title", "text", "title_*", "text_*"]


def fields_for(languages: Iterable[str]) -> list[str]:
    """The default fields that can hold text for stories in ``languages``: a query over these finds
    exactly what it finds over :data:`DEFAULT_FIELDS` among such stories (the other
    language-analysed fields are empty for them), with far fewer fields to look terms up in."""
    analysed = sorted({lang for lang in languages if lang in LANGUAGE_ANALYZERS})
    return ["title", "text"] + [f"{field}_{lang}" for lang in analysed for field in ("title", "text")]


_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}


def language_fields() -> dict[str, dict[str, Any]]:
    fields: dict[str, dict[str, Any]] = {}
    for lang, analyzer in sorted(LANGUAGE_ANALYZERS.items()):
        fields[f"title_{lang}"] = {"type": "text", "analyzer": analyzer}
        fields[f"text_{lang}"] = {"type": "text", "analyzer": analyzer}
    return fields


def mappings() -> dict[str, Any]:
    return {
        "dynamic": "strict",
        "properties": {
            "id": _KEYWORD,
            "kind": _KEYWORD,
            "site": _KEYWORD,
            "lang": _KEYWORD,
            "lang_confidence": {"type": "float"},
            "url": _KEYWORD,
            "page_url": _KEYWORD,
            "credit": _KEYWORD,
            "fingerprint": _KEYWORD,
            "cluster_id": _KEYWORD,
            "position": {"type": "integer"},
            "published_at": _DATE,
            "first_seen_at": _DATE,
            "title": {
                "type": "text",
                "analyzer": "standard",
                "fields": {"raw": {"type": "keyword", "ignore_above": 512}},
            },
            "text": {"type": "text", "analyzer": "standard"},
            **language_fields(),
        },
    }


def index_template(alias: str, shards: int = 1, replicas: int = 0) -> dict[str, Any]:
    """The composable index template for ``<alias>-*`` indices."""
    return {
        "index_patterns": [f"{alias}-*"],
        "priority": 200,
        "template": {
            "settings": {
                "number_of_shards": shards,
                "number_of_replicas": replicas,
                "refresh_interval": "1s",
                "query": {"default_field": DEFAULT_FIELDS},
            },
            "mappings": mappings(),
        },
        "_meta": {"description": "Wirestream stories", "managed_by": "wirestream init", "version": 1},
    }


def first_index(alias: str) -> str:
    """The concrete index `init` creates behind the alias."""
    return f"{alias}-000001"
