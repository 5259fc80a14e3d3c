"""Story -> Elasticsearch document and bulk action (pure)."""

from __future__ import annotations

from typing import Any

from pipeline.index.template import LANGUAGE_ANALYZERS
from pipeline.messages import Story


def document(story: Story, cluster_id: str | None = None) -> dict[str, Any]:
    """The indexed form of a story: its fields, its cluster (its own id when it has none), plus
    language-analysed copies of title and text."""
    doc = story.model_dump(mode="json", exclude={"schema_version"}, exclude_none=True)
    doc["cluster_id"] = cluster_id or story.id
    if story.lang in LANGUAGE_ANALYZERS:
        if story.title:
            doc[f"title_{story.lang}"] = story.title
        doc[f"text_{story.lang}"] = story.text
    return doc


def version(story: Story) -> int:
    """External version: the time the page was fetched, in ms. A newer fetch replaces an older
    one; a replay of an older page is a version conflict and is ignored."""
    return int(story.first_seen_at.timestamp() * 1000)


def bulk_action(
    story: Story, index: str, cluster_id: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (action, source) pair of a `_bulk` index request for one story."""
    action = {
        "index": {"_index": index, "_id": story.id, "version": version(story), "version_type": "external_gte"}
    }
    return action, document(story, cluster_id)
