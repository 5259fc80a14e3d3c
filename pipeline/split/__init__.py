"""The split stage's pure core: RawPage -> stories.

``split_page`` is the one function the worker and `wirestream split` call. For now a page yields one
article story (title + main text); teaser detection lands with the splitting issue.
"""

from __future__ import annotations

from pipeline import fingerprint as fp
from pipeline.errors import PermanentError
from pipeline.language import detect
from pipeline.messages import RawPage, Story
from pipeline.split.extract import Extracted, extract_html, split_text_lines

#: A first line longer than this is a paragraph, not a headline.
MAX_TITLE_CHARS = 300


def extract(page: RawPage) -> Extracted:
    if not page.body.strip():
        raise PermanentError("page body is empty")
    if page.content_type == "text/html":
        return extract_html(page.body, page.canonical_url)
    lines = split_text_lines(page.body)
    if len(lines) > 1 and len(lines[0]) <= MAX_TITLE_CHARS:
        return Extracted(title=lines[0], text="\n\n".join(lines[1:]))
    return Extracted(title=page.feed_title, text="\n\n".join(lines))


def split_page(page: RawPage) -> list[Story]:
    """Cut a page into stories, each with its language and deterministic id."""
    extracted = extract(page)
    title = extracted.title or page.feed_title
    lang, confidence = detect(f"{title or ''}\n{extracted.text}")
    story = Story(
        id=fp.article_id(page.site, page.canonical_url),
        kind="article",
        title=title,
        text=extracted.text,
        lang=lang,
        lang_confidence=confidence,
        site=page.site,
        url=page.canonical_url,
        page_url=page.canonical_url,
        published_at=page.published_at,
        fingerprint=fp.fingerprint(extracted.text),
        position=0,
        first_seen_at=page.fetched_at,
    )
    return [story]
