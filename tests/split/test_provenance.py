"""Lines of the extracted text found again in the page's tree: boxes set apart inside the article
and lines after the article from outside its block are not story text."""

from __future__ import annotations

from pipeline.split.dom import Dom
from pipeline.split.htmlpage import parse, split_html
from pipeline.split.provenance import Sources
from tests.split.test_htmlpage import ARTICLE, URL

FACTS = [
    "The port handles about four million containers a year and employs some six thousand people directly.",
    "The last strike at the port, in 2019, lasted nine days and cost the shipping lines an estimated forty million.",
]
TWEET = "The vote is in: members accept the deal by a wide margin, thanks to everyone who turned out tonight at the hall."
CAPTION = "Dock workers leave the union hall after the count on Monday evening, some of them carrying their ballots."


def _page(inside: str) -> str:
    first, second = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]), "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    return (
        "<html><head><title>Harbour workers vote</title></head><body><main><article>"
        f"<h1>Harbour workers vote on new contract</h1>{first}{inside}{second}</article></main></body></html>"
    )


def test_fact_boxes_embedded_posts_and_captions_are_not_story_text() -> None:
    boxes = (
        f'<div class="article-factbox"><h3>The port in figures</h3>{"".join(f"<p>{p}</p>" for p in FACTS)}</div>'
        f'<blockquote class="twitter-tweet"><p>{TWEET}</p>&mdash; Dockers Union (@dockers)</blockquote>'
        f'<figure><img src="/a.jpg"><figcaption>{CAPTION}</figcaption></figure>'
    )
    result = split_html(_page(boxes), URL)
    assert result.article.paragraphs == ARTICLE
    reasons = {d.reason for d in result.decisions if d.verdict == "dropped"}
    assert "a box set apart (fact box, embed, caption)" in reasons


def test_a_page_without_boxes_keeps_every_paragraph() -> None:
    result = split_html(_page(""), URL)
    assert result.article.paragraphs == ARTICLE


def _sources(html: str) -> Sources:
    return Sources(Dom(parse(html), URL))


SIDEBAR_PAGE = (
    "<html><body><header><p class='standfirst'>The union's members voted by a wide margin to accept the offer.</p></header>"
    "<div class='columns'><div class='body'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>"
    "<div class='right'><div class='box'>Popular in the price comparison</div>"
    "<div class='box'>Support us: shop through one of the links below</div></div></div></body></html>"
)


def test_lines_after_the_article_from_outside_its_block_are_cut() -> None:
    sources = _sources(SIDEBAR_PAGE)
    lines = [*ARTICLE, "Popular in the price comparison", "Support us: shop through one of the links below"]
    assert sources.outside_tail(lines) == 2


def test_a_lead_before_the_body_stays_and_a_line_not_found_goes_with_its_neighbours() -> None:
    sources = _sources(SIDEBAR_PAGE)
    lead = "The union's members voted by a wide margin to accept the offer."
    assert sources.outside_tail([lead, *ARTICLE]) == 0  # only the end is cut
    unknown = "A line the page does not hold anywhere at all"
    assert sources.element(unknown) is None
    assert sources.outside_tail([*ARTICLE, unknown]) == 0  # nothing cut before it
    assert sources.outside_tail([*ARTICLE, "Popular in the price comparison", unknown]) == 2


def test_every_line_inside_the_block_nothing_is_cut() -> None:
    html = "<html><body>" + "".join(f"<div><p>{p}</p></div>" for p in ARTICLE) + "</body></html>"
    assert _sources(html).outside_tail(ARTICLE) == 0


def test_a_start_several_elements_share_finds_none() -> None:
    repeated = "A Bill will be introduced to set up a new regulator for the harbour and its workers"
    html = f"<html><body><p>{repeated} and its ships.</p><div><p>{repeated} and its docks.</p></div></body></html>"
    sources = _sources(html)
    assert sources.element(f"{repeated} and its ships.") is None


def test_a_box_that_holds_most_of_the_article_is_the_article() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    html = (
        "<html><body><main><article><h1>Harbour workers vote on new contract</h1>"
        f'<div class="article-infobox-wrapper">{paragraphs}</div>'
        f"<figure><figcaption>{CAPTION}</figcaption></figure></article></main></body></html>"
    )
    assert split_html(html, URL).article.paragraphs == ARTICLE
