"""The split stage's pure core: a RawPage becomes stories with language and deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline import fingerprint as fp
from pipeline.errors import PermanentError
from pipeline.messages import RawPage
from pipeline.split import split_page

FETCHED = datetime(2026, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
CANONICAL = "https://herald.example/2026/03/harbour-reopens"

TEXT_BODY = """Harbour reopens after three days of storm damage repairs

The harbour of the coastal town reopened on Monday morning after crews spent three days clearing debris.

Fishing boats were the first to leave the port, and the ferries will resume their timetable by Wednesday.
   Local shop owners   said the closure had cost them most of their weekly income.
"""

PARAGRAPHS = [
    "The harbour of the coastal town reopened on Monday morning after crews spent three days clearing "
    "debris left by the storm that swept the region last week.",
    "Fishing boats were the first to leave the port, and the harbour master said the ferries to the "
    "islands would resume their normal timetable by Wednesday at the latest.",
    "Local shop owners on the waterfront said the closure had cost them most of their weekly income, and "
    "several asked the council for emergency support to cover the losses.",
    "The regional government has promised to publish a full assessment of the damage before the end of "
    "the month, including the cost of repairing the breakwater.",
]
NAV_TEXT = "Sport results and league tables"
FOOTER_TEXT = "Copyright Coast Herald Media Group, all rights reserved"

HTML_BODY = f"""<!doctype html>
<html lang="en">
<head><title>Harbour reopens | Coast Herald</title></head>
<body>
  <nav><ul>
    <li><a href="/">Home</a></li>
    <li><a href="/sport">{NAV_TEXT}</a></li>
  </ul></nav>
  <article>
    <h1>Harbour reopens after three days of storm damage repairs</h1>
    {"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
  </article>
  <footer><p>{FOOTER_TEXT}. Contact the newsroom.</p></footer>
</body>
</html>"""


def make_page(body: str, content_type: str = "text/plain", **overrides: object) -> RawPage:
    fields: dict[str, object] = {
        "url": CANONICAL + "?utm_source=feed",
        "canonical_url": CANONICAL,
        "site": "herald",
        "fetched_at": FETCHED,
        "content_type": content_type,
        "body": body,
    }
    fields.update(overrides)
    return RawPage.model_validate(fields)


# --- text pages --------------------------------------------------------------------------------


def test_a_text_page_gives_one_article_story() -> None:
    stories = split_page(make_page(TEXT_BODY))
    assert len(stories) == 1
    story = stories[0]
    assert story.kind == "article"
    assert story.title == "Harbour reopens after three days of storm damage repairs"
    assert story.text.startswith("The harbour of the coastal town reopened")
    assert story.text.endswith(
        "Local shop owners said the closure had cost them most of their weekly income."
    )
    assert "Harbour reopens" not in story.text
    assert story.lang == "en"
    assert story.lang_confidence > 0.5


def test_text_paragraphs_are_kept_apart_and_whitespace_is_folded() -> None:
    story = split_page(make_page(TEXT_BODY))[0]
    assert story.text.count("\n\n") == 2
    assert "   " not in story.text


def test_the_article_is_identified_by_its_site_and_canonical_url() -> None:
    story = split_page(make_page(TEXT_BODY))[0]
    assert story.id == fp.article_id("herald", CANONICAL)
    assert story.site == "herald"
    assert story.page_url == CANONICAL
    assert story.url == CANONICAL
    assert story.position == 0
    assert story.fingerprint == fp.fingerprint(story.text)


def test_an_updated_article_keeps_its_id_but_not_its_fingerprint() -> None:
    first = split_page(make_page(TEXT_BODY))[0]
    updated = split_page(make_page(TEXT_BODY + "\nUpdate: the ferries are running again.\n"))[0]
    assert updated.id == first.id
    assert updated.fingerprint != first.fingerprint


def test_first_seen_at_is_the_fetch_time_and_published_at_is_carried() -> None:
    published = datetime(2026, 3, 14, 7, 0, tzinfo=UTC)
    story = split_page(make_page(TEXT_BODY, published_at=published))[0]
    assert story.first_seen_at == FETCHED
    assert story.published_at == published


def test_splitting_the_same_page_twice_gives_identical_stories() -> None:
    page = make_page(TEXT_BODY)
    assert split_page(page) == split_page(page)
    assert split_page(page)[0].to_bytes() == split_page(page)[0].to_bytes()


def test_a_single_paragraph_page_takes_the_feed_title() -> None:
    story = split_page(make_page(PARAGRAPHS[0], feed_title="Harbour reopens"))[0]
    assert story.title == "Harbour reopens"
    assert story.text == PARAGRAPHS[0]


@pytest.mark.parametrize("body", ["", "   ", "\n\n\t \n"], ids=["empty", "spaces", "blank-lines"])
@pytest.mark.parametrize("content_type", ["text/plain", "text/html"])
def test_an_empty_body_is_a_permanent_error(body: str, content_type: str) -> None:
    with pytest.raises(PermanentError, match="empty"):
        split_page(make_page(body, content_type))


# --- HTML pages --------------------------------------------------------------------------------


def test_an_html_page_gives_the_article_text_without_nav_and_footer() -> None:
    stories = split_page(make_page(HTML_BODY, "text/html"))
    assert len(stories) == 1
    story = stories[0]
    assert story.kind == "article"
    assert story.title == "Harbour reopens after three days of storm damage repairs"
    for paragraph in PARAGRAPHS:
        assert paragraph in story.text
    assert NAV_TEXT not in story.text
    assert FOOTER_TEXT not in story.text
    assert story.lang == "en"
    assert story.id == fp.article_id("herald", CANONICAL)
    assert story.first_seen_at == FETCHED


def test_an_html_page_splits_deterministically() -> None:
    page = make_page(HTML_BODY, "text/html")
    assert split_page(page) == split_page(page)


@pytest.mark.parametrize(
    "body",
    [
        "<html><head><title>Nothing</title></head><body></body></html>",
        "<html><body><div><p>   </p></div><script>var x = 1;</script></body></html>",
        "<<<>>>",
    ],
    ids=["empty-body", "blank-and-script", "not-html"],
)
def test_html_without_text_is_a_permanent_error(body: str) -> None:
    with pytest.raises(PermanentError):
        split_page(make_page(body, "text/html"))
