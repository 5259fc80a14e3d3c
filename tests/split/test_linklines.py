"""Link lines: a related headline kept in the main text is a link, found from the page's links."""

from __future__ import annotations

from pipeline.split.htmlpage import split_html
from tests.split.test_htmlpage import URL, page


def test_a_list_of_kicker_and_link_items_in_the_article_is_links_however_the_kicker_reads() -> None:
    """ "<li><strong>„Über manches irritiert“: </strong><a>Headline</a></li>": the line is a link with
    a short label, whatever the label's punctuation; a sentence that links a name stays article text."""
    items = (
        "<h3>Exclusive background</h3><ul>"
        '<li><strong>„Not amused“: </strong><a href="/world/2026/minister-attacks-the-speaker-48001">Minister attacks the speaker over the budget</a></li>'
        '<li><strong>Schools? </strong><a href="/world/2026/digital-minister-on-ai-in-class-48002">Digital minister: we will always have AI in class</a></li>'
        "</ul>"
    )
    named = '<p><a href="/people/harbour-authority-chief-executive">The harbour authority chief</a> said on Monday that the new rota was fair and overdue.</p>'
    found = split_html(page(extra_article=items + named), URL)
    assert not any("Minister attacks" in p or "always have AI" in p for p in found.article.paragraphs)
    assert "Minister attacks the speaker over the budget" in [title for title, _ in found.links]
    assert found.article.paragraphs[-1].startswith("The harbour authority chief said on Monday")
