"""The split stage's pure core: RawPage -> stories.

:func:`split` is the one entry point; the worker and `wirestream split` both call it.

* text pages: paragraphs (one per line) -> :mod:`segment`;
* HTML pages: the main text (trafilatura) -> :mod:`segment`, plus the teaser blocks found in the
  DOM (:mod:`html`), each keeping its own link.

Every story gets its language, fingerprint and deterministic id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from pipeline import fingerprint as fp
from pipeline.errors import PermanentError
from pipeline.fingerprint import normalise
from pipeline.language import DEFAULT_ENGINE, detect
from pipeline.language.quick import guess
from pipeline.messages import RawPage, Story
from pipeline.split.extract import extract_html, split_text_lines
from pipeline.split.html import Teaser, find_teasers
from pipeline.split.memory import SiteMemory
from pipeline.split.paragraphs import Para, paragraphs
from pipeline.split.segment import Decision, Segment, Segmentation, segment

__all__ = [
    "Decision",
    "Link",
    "SiteMemory",
    "SplitResult",
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


def page_paragraphs(page: RawPage) -> tuple[list[Para], list[Teaser]]:
    """The paragraphs of the page's main text, and (HTML) the teasers found in the DOM."""
    if not page.body.strip():
        raise PermanentError("page body is empty")
    if page.content_type != "text/html":
        return paragraphs(split_text_lines(page.body)), []
    teasers = find_teasers(page.body, page.canonical_url)
    extracted = extract_html(page.body, page.canonical_url)
    taken = {normalise(t) for teaser in teasers for t in (teaser.title, teaser.lead) if t}
    if extracted.title:
        taken.add(normalise(extracted.title))  # trafilatura may repeat the <h1> inside the text
    lines = [line for line in split_text_lines(extracted.text) if normalise(line) not in taken]
    return paragraphs(([extracted.title] if extracted.title else []) + lines), teasers


def split(page: RawPage, memory: SiteMemory | None = None, engine: str = DEFAULT_ENGINE) -> SplitResult:
    """Cut a page into stories, each with its language (``engine``, the site's language as a hint).

    With ``memory``, paragraphs the site repeats end the article.
    """
    paras, dom_teasers = page_paragraphs(page)
    recurring: Callable[[str], bool] | None = None
    if memory is not None:
        memory.observe(page.site, page.canonical_url, (p.text for p in paras))
        recurring = partial(memory.recurring, page.site, page.canonical_url)
    # in HTML the DOM tells where teasers are; the vocabulary-only signal is for plain text
    result: Segmentation = segment(
        paras, language=guess, recurring=recurring, unrelated_tail=page.content_type != "text/html"
    )
    segments = list(result.segments)
    links = [Link(title, None) for title in result.links]
    known = {fp.fingerprint(s.text) for s in segments}
    for teaser in dom_teasers:
        if teaser.lead is None:
            links.append(Link(teaser.title or "", teaser.url))
        elif fp.fingerprint(teaser.lead) not in known:
            segments.append(Segment("teaser", teaser.title, [teaser.lead], url=teaser.url))
    if not any(s.paragraphs for s in segments):
        raise PermanentError("no story text found on the page")
    stories = [
        _story(page, seg, position, engine)
        for position, seg in enumerate(s for s in segments if s.paragraphs)
    ]
    return SplitResult(stories, links, result.decisions)


def split_many(
    pages: Sequence[RawPage], engine: str = DEFAULT_ENGINE
) -> Iterator[tuple[RawPage, SplitResult | PermanentError]]:
    """Split pages of one or more sites as the worker would, with site memory shared between them:
    every page is remembered first, so the first page benefits from the others too."""
    memory = SiteMemory()
    for page in pages:
        try:
            memory.observe(page.site, page.canonical_url, (p.text for p in page_paragraphs(page)[0]))
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
