"""The split stage's pure core: RawPage -> stories.

:func:`split` is the one entry point; the worker and `wirestream split` both call it.

* text pages: paragraphs (one per line) -> :mod:`segment`;
* HTML pages: :mod:`htmlpage`: the article is the extractor's main text (trimmed at its ends only),
  teasers are the teaser blocks of the DOM (:mod:`teasers`), each keeping its own link.

Every story gets its language, fingerprint and deterministic id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from pipeline import fingerprint as fp
from pipeline.errors import PermanentError
from pipeline.language import DEFAULT_ENGINE, detect
from pipeline.language.codes import CLOSE_GROUPS
from pipeline.messages import RawPage, Story
from pipeline.split.dom import url_parts
from pipeline.split.extract import split_text_lines
from pipeline.split.htmlpage import extract, parse, split_html
from pipeline.split.memory import PageMemory, SiteMemory
from pipeline.split.paragraphs import Para, paragraphs
from pipeline.split.segment import Decision, Segment, Segmentation, segment

__all__ = [
    "Decision",
    "Link",
    "SiteMemory",
    "SplitResult",
    "clear_caches",
    "page_paragraphs",
    "split",
    "split_many",
    "split_page",
]


@dataclass(frozen=True)
class Link:
    """A teaser that is only a headline (and, in HTML, a link): not a story, but worth fetching."""

    title: str
    url: str | None


@dataclass(frozen=True)
class SplitResult:
    stories: list[Story]
    links: list[Link]
    decisions: list[Decision]  # per paragraph, for --explain


def page_paragraphs(page: RawPage) -> list[Para]:
    """The paragraphs of the page's main text (HTML: what the extractor gives)."""
    if not page.body.strip():
        raise PermanentError("page body is empty")
    if page.content_type != "text/html":
        return paragraphs(split_text_lines(page.body))
    return paragraphs(extract(parse(page.body), page.canonical_url)[1])


def split(page: RawPage, memory: SiteMemory | None = None, engine: str = DEFAULT_ENGINE) -> SplitResult:
    """Cut a page into stories, each with its language (``engine``, the site's language as a hint).

    With ``memory``, paragraphs the site repeats end the article.
    """
    if not page.body.strip():
        raise PermanentError("page body is empty")
    if page.content_type == "text/html":
        return _split_html(page, memory, engine)
    paras = paragraphs(split_text_lines(page.body))
    recurring: Callable[[str], bool] | None = None
    if memory is not None:
        recurring = PageMemory(memory, page.site, page.canonical_url)
        recurring.observe(p.text for p in paras)
    language = partial(_sure_language, engine)
    result: Segmentation = segment(paras, language=language, recurring=recurring, unrelated_tail=True)
    segments = [s for s in result.segments if s.paragraphs]
    if not segments:
        raise PermanentError("no story text found on the page")
    stories = [_story(page, seg, position, engine) for position, seg in enumerate(segments)]
    return SplitResult(stories, [Link(title, None) for title in result.links], result.decisions)


#: A paragraph's language counts for the "language changed" end signal only when the story language
#: engine is this sure of it.
SURE_LANGUAGE = 0.9


def _sure_language(engine: str, text: str) -> str:
    """The text's language (close neighbours as one group), or ``und`` when the engine is unsure."""
    found = detect(text, engine)
    return CLOSE_GROUPS.get(found.lang, found.lang) if found.confidence >= SURE_LANGUAGE else "und"


def _split_html(page: RawPage, memory: SiteMemory | None, engine: str) -> SplitResult:
    recurring = PageMemory(memory, page.site, page.canonical_url) if memory is not None else None
    observe = recurring.observe if recurring is not None else None
    found = split_html(page.body, page.canonical_url, recurring, observe)
    segments = [s for s in (found.article, *found.teasers) if s.paragraphs]
    stories = [_story(page, seg, position, engine) for position, seg in enumerate(segments)]
    return SplitResult(stories, [Link(title, url) for title, url in found.links], found.decisions)


def clear_caches() -> None:
    """Forget the URLs and lines seen so far (memoised parsing and normalising; for benchmarks)."""
    fp.clear_cache()
    url_parts.cache_clear()


def split_many(
    pages: Sequence[RawPage], engine: str = DEFAULT_ENGINE
) -> Iterator[tuple[RawPage, SplitResult | PermanentError]]:
    """Split pages of one or more sites as the worker would, with site memory shared between them:
    every page is remembered first, so the first page benefits from the others too."""
    memory = SiteMemory()
    for page in pages:
        try:
            memory.observe(page.site, page.canonical_url, (p.text for p in page_paragraphs(page)))
        except PermanentError:
            continue  # reported when it is split
    for page in pages:
        try:
            yield page, split(page, memory, engine)
        except PermanentError as exc:
            yield page, exc


def split_page(page: RawPage, memory: SiteMemory | None = None, engine: str = DEFAULT_ENGINE) -> list[Story]:
    return split(page, memory, engine).stories


def _story(page: RawPage, seg: Segment, position: int, engine: str) -> Story:
    text = seg.text
    lang, confidence = detect(f"{seg.title or ''}\n{text}", engine, hint=page.language_hint)
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
