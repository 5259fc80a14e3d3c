"""The HTML path on pages written for the project: the article is the extractor's text with only
links, metadata and end boilerplate taken out; teasers are story cards found in the markup."""

from __future__ import annotations

from pipeline.split.cards import looks_like_story, same_page, site_of
from pipeline.split.htmlpage import split_html
from pipeline.split.paragraphs import Kind, classify

URL = "https://daily.example/world/2026/harbour-workers-vote-on-new-contract-48213"
ARTICLE = [
    "Harbour workers in the port city voted on Monday to accept a new three-year contract after weeks of talks with the port authority and the shipping companies.",
    "The agreement raises wages by eleven percent over three years and limits night shifts to four a week, the union said in a statement after the count.",
    "Shipping lines had warned that a strike would have diverted container traffic to rival ports along the coast, costing the city millions in lost fees.",
    "The port authority said operations would continue as normal and that the first pay rise would come with the January salaries of every worker.",
]


def page(extra_article: str = "", after: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in ARTICLE)
    return (
        "<html><head><title>Harbour workers vote on new contract | Daily</title></head><body>"
        '<nav><a href="/world">World</a><a href="/sport">Sport</a></nav>'
        "<main><article><h1>Harbour workers vote on new contract</h1>"
        '<div class="meta"><span class="byline">By Ana Ruiz</span> <time>12 March 2026, 10:40</time></div>'
        f"{paragraphs}{extra_article}</article>{after}</main>"
        '<footer><a href="/terms-and-conditions-of-use">Terms and conditions of use</a>'
        "<p>All rights reserved.</p></footer></body></html>"
    )


def card(slug: str, title: str, lead: str) -> str:
    return f'<div class="item"><a href="/world/2026/{slug}"><h3>{title}</h3></a><p>{lead}</p></div>'


RELATED = (
    '<section class="related"><h2>More on this</h2>'
    + card(
        "storm-closes-the-coastal-road-for-a-second-day-48100",
        "Storm closes the coastal road for a second day",
        "Police kept the coastal road closed on Sunday as waves washed gravel onto the asphalt, and drivers were sent inland.",
    )
    + card(
        "ferry-timetable-changes-in-april-48177",
        "Ferry timetable changes in April",
        "The island ferry will leave an hour earlier from April, the operator said, to fit the new train connections.",
    )
    + "</section>"
)


def test_the_article_is_the_main_text_and_related_cards_are_teasers_with_their_links() -> None:
    found = split_html(page(after=RELATED), URL)
    assert found.article.title == "Harbour workers vote on new contract"
    assert found.article.paragraphs == ARTICLE  # the byline and time elements are gone
    assert [(t.title, t.url) for t in found.teasers] == [
        (
            "Storm closes the coastal road for a second day",
            "https://daily.example/world/2026/storm-closes-the-coastal-road-for-a-second-day-48100",
        ),
        (
            "Ferry timetable changes in April",
            "https://daily.example/world/2026/ferry-timetable-changes-in-april-48177",
        ),
    ]
    assert found.teasers[0].paragraphs[0].startswith("Police kept the coastal road closed")


def test_a_link_line_inside_the_article_is_a_link_not_article_text() -> None:
    read_also = '<p>Read also: <a href="/world/2026/dockers-in-the-north-end-their-strike-47900">Dockers in the north end their strike after two weeks</a></p>'
    found = split_html(page(extra_article=read_also), URL)
    assert found.article.paragraphs == ARTICLE
    assert (
        "Dockers in the north end their strike after two weeks",
        "https://daily.example/world/2026/dockers-in-the-north-end-their-strike-47900",
    ) in found.links


def test_article_paragraphs_are_never_cut_into_teasers_by_their_words() -> None:
    """A paragraph that looks like a self-contained lead stays in the article: no structure says otherwise."""
    unrelated = "<p>Elsewhere, the city council approved a budget for new bicycle lanes along the river, which will open in summer.</p>"
    found = split_html(page(extra_article=unrelated), URL)
    assert found.teasers == [] and len(found.article.paragraphs) == 5


def test_a_lone_described_utility_link_is_not_a_teaser() -> None:
    newsletter = (
        '<aside><a href="/newsletters/morning-briefing-sign-up">Sign up for the morning briefing</a>'
        "<p>Every weekday at seven, the stories you need to start the day, straight to your inbox.</p></aside>"
    )
    found = split_html(page(after=newsletter), URL)
    assert found.teasers == []


def test_the_page_itself_under_another_address_is_not_a_teaser() -> None:
    assert same_page(URL, URL + "?ref=rss") and same_page(URL, "https://daily.example/gallery/48213/photo-2")
    assert not same_page(URL, "https://daily.example/world/2026/ferry-timetable-changes-in-april-48177")
    assert not same_page(
        "https://a.example/news/20260312-one", "https://a.example/news/20260312-two"
    )  # a date is no id


def test_what_a_story_address_looks_like() -> None:
    assert looks_like_story("https://x.example/politik/ausland/ukraine-russland-konflikt-blog-102.html")
    assert looks_like_story("https://www.chunichi.co.jp/article/1011243?rct=national")
    assert not looks_like_story("https://x.example/newsletters")
    assert not looks_like_story("https://x.example/author/jane-doe")
    assert not looks_like_story("https://x.example/category/right-wing-extremism/")
    assert (
        site_of("https://news.bbc.co.uk/a") == "bbc.co.uk"
        and site_of("https://de.euronews.com/x") == "euronews.com"
    )


def test_unspaced_scripts_are_not_read_as_headings() -> None:
    assert (
        classify("１３日午後９時１９分ごろ、宮崎県で震度５弱の地震があった。気象庁によると、震源地は日向灘で")
        is Kind.TEXT
    )
    assert classify("南海トラフ、一時調査 巨大地震、基準達せず") is Kind.HEADING
    assert classify("2025年1月14日 01時28分 (1月14日 01時40分更新)") is Kind.COUNTER


def test_a_page_nested_deeper_than_the_parser_goes_keeps_its_article() -> None:
    # libxml2 stops at 256 levels; a page with 100,000 nested <div>s still holds its article
    deep = (
        page()
        .replace("<main>", "<main>" + "<div>" * 100_000)
        .replace("</main>", "</div>" * 100_000 + "</main>")
    )
    found = split_html(deep, URL)
    assert [p[:30] for p in found.article.paragraphs] == [p[:30] for p in ARTICLE]


def test_the_extractor_reads_the_page_without_footers_asides_and_menus_and_the_tree_comes_back_whole() -> (
    None
):
    from lxml import etree

    from pipeline.split.htmlpage import _set_aside, _trafilatura, parse

    aside = '<aside class="promo"><p>Subscribe for the full archive of the port.</p></aside>tail text kept'
    html = page(extra_article=f"<div>{aside}</div>", after="<aside><aside><p>inner</p></aside></aside>")
    tree = parse(html)
    before = etree.tostring(tree)
    whole = _trafilatura(tree, URL, fast=True)
    with _set_aside(tree):
        assert all(tree.find(f".//{tag}/*") is None for tag in ("aside", "footer", "nav"))
        without = _trafilatura(tree, URL, fast=True)
    assert etree.tostring(tree) == before  # the same tree, tails and nesting included
    assert without == whole and "tail text kept" in without
