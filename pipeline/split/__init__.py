"""The split stage's pure core: RawPage -> stories.

:func:`split` is the one entry point; the worker and `wirestream split` both call it.

* text pages: paragraphs (one per line) -> :mod:`segment`;
* HTML pages: the main text (trafilatura) -> :mod:`segment`, plus the teaser blocks found in the
  DOM (:mod:`html`), each keeping its own link.

Every story gets its language, fingerprint and deterministic id.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import fingerprint as fp
from pipeline.errors import PermanentError
from pipeline.language import detect
from pipeline.language.quick import guess
from pipeline.messages import RawPage, Story
from pipeline.split.extract import extract_html, split_text_lines
from pipeline.split.memory import SiteMemory
from pipeline.split.paragraphs import Para, paragraphs
from pipeline.split.segment import Decision, Segment, Segmentation, segment

__all__ = ["Decision", "SiteMemory", "SplitResult", "page_paragraphs", "split", "split_page"]


@dataclass(frozen=True)
class SplitResult:
    stories: list[Story]
    links: list[str]  # teasers that are only a headline (and link): for the scraper to fetch
    decisions: list[Decision]  # per paragraph, for --explain


def page_paragraphs(page: RawPage) -> tuple[list[Para], list[Segment]]:
    """The paragraphs of the page's main text, and teasers found outside it (HTML)."""
    if not page.body.strip():
        raise PermanentError("page body is empty")
    if page.content_type == "text/html":
        extracted = extract_html(page.body, page.canonical_url)
        lines = split_text_lines(extracted.text)
        return paragraphs(([extracted.title] if extracted.title else []) + lines), []
    return paragraphs(split_text_lines(page.body)), []


def split(page: RawPage, memory: SiteMemory | None = None) -> SplitResult:
    """Cut a page into stories. With ``memory``, paragraphs the site repeats end the article."""
    paras, extra = page_paragraphs(page)
    if memory is not None:
        memory.observe(page.site, page.canonical_url, (p.text for p in paras))

        def recurring(text: str) -> bool:
            return memory.recurring(page.site, page.canonical_url, text)
    else:
        recurring = None  # type: ignore[assignment]
    result: Segmentation = segment(paras, language=guess, recurring=recurring)
    segments = result.segments + extra
    if not segments or not any(s.paragraphs for s in segments):
        raise PermanentError("no story text found on the page")
    stories = [_story(page, seg, position) for position, seg in enumerate(segments) if seg.paragraphs]
    return SplitResult(stories, result.links, result.decisions)


def split_page(page: RawPage, memory: SiteMemory | None = None) -> list[Story]:
    return split(page, memory).stories


def _story(page: RawPage, seg: Segment, position: int) -> Story:
    text = seg.text
    lang, confidence = detect(f"{seg.title or ''}\n{text}")
    if seg.kind == "article":
        story_id = fp.article_id(page.site, page.canonical_url)
        url: str | None = page.canonical_url
        title = seg.title or page.feed_title
    else:
        story_id = fp.teaser_id(page.site, text, seg.url)
        url, title = seg.url, seg.title
    return Story(
        id=story_id,
        kind="article" if seg.kind == "article" else "teaser",
        title=title,
        text=text,
        lang=lang,
        lang_confidence=confidence,
        site=page.site,
        url=url,
        page_url=page.canonical_url,
        published_at=page.published_at if seg.kind == "article" else None,
        first_seen_at=page.fetched_at,
        fingerprint=fp.fingerprint(text),
        credit=seg.credit,
        position=position,
    )
