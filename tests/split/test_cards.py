"""Story cards: what makes a described link another story of the site, and what does not."""

from __future__ import annotations

from pipeline.split.cards import numbered, title_cased
from pipeline.split.htmlpage import split_html
from tests.split.test_htmlpage import URL, card, page

LEAD = "Police kept the coastal road closed on Sunday as waves washed gravel onto the asphalt, and drivers were sent inland."
SECOND = "The island ferry will leave an hour earlier from April, the operator said, to fit the new train connections."


def test_an_address_with_an_id_or_a_date_is_numbered_and_a_year_in_a_slug_is_not() -> None:
    assert numbered("https://x.example/world/harbour-vote-48213")
    assert numbered("https://x.example/2023/04/28/harbour-vote.html")
    assert numbered("https://x.example/inhalt.harbour-vote.4ff6ac6b-9e34-4d7d-bc52-d410f78c29db.html")
    assert not numbered("https://x.example/local/bus-ridership-2025")
    assert not numbered("https://x.example/market-data-terms-of-service/")
    assert not numbered("https://x.example/local/deadbeefcafe-stories-of-the-week")


def test_on_a_site_whose_articles_carry_ids_a_described_link_without_one_is_not_a_teaser() -> None:
    """The page's own address has an id: /market-data-terms-of-service/ is a utility page, however
    its blurb reads, while a card of the site's own address shape is a teaser."""
    utility = (
        '<div class="cards">'
        + card("storm-closes-the-coastal-road-for-a-second-day-48100", "Storm closes the coastal road", LEAD)
        + '<div class="item"><a href="/market-data-terms-of-service/"><h3>Market data terms of use</h3></a>'
        f"<p>{SECOND}</p></div></div>"
    )
    found = split_html(page(after=utility), URL)
    assert [t.title for t in found.teasers] == ["Storm closes the coastal road"]


def test_a_blurb_among_many_links_is_a_footer_not_a_card() -> None:
    """A site's tagline above its imprint, terms and contact links does not become the lead of the
    one link among them that looks like an article."""
    links = "".join(
        f'<a href="/service/{name}">{name}</a>' for name in ("imprint", "privacy", "contact", "jobs", "ads")
    )
    footer = (
        '<div class="site-footer"><p>News and background from politics, business, culture and sport, from the city and the world.</p>'
        f'{links}<a href="/incoming/article410137830/how-we-use-ai-in-the-newsroom.html">AI in our newsroom</a></div>'
    )
    found = split_html(page(after=footer), URL)
    assert found.teasers == []


def test_a_headline_in_title_case_is_not_a_lead_however_long() -> None:
    assert title_cased(
        "VIDEO: People in Denmark Are a Lot Happier Than People in the United States. Here's Why."
    )
    assert not title_cased(
        "Die EZB steht vor dem nächsten Zinsentscheid. Kommt eine weitere Senkung? Profis erwarten eine Pause."
    )
    assert not title_cased("東京で震度５弱、津波注意報は出ていないと気象庁が発表した。")
    headline = "People in Denmark Are a Lot Happier Than People in the United States and Here Is Why."
    linked = (
        '<div class="more">'
        + card("storm-closes-the-coastal-road-for-a-second-day-48100", "Storm closes the coastal road", LEAD)
        + f'<div class="item"><a href="/world/2026/people-in-denmark-are-happier-48300">{headline}</a></div></div>'
    )
    found = split_html(page(after=linked), URL)
    assert [t.title for t in found.teasers] == ["Storm closes the coastal road"]
    assert (headline, "https://daily.example/world/2026/people-in-denmark-are-happier-48300") in found.links
