"""Feeds, news sitemaps and listing pages -> article URLs, and untrusted XML refused when dangerous."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from pipeline.scrape.discover import FeedError, parse_feed, parse_listing, parse_sitemap
from pipeline.tools.newsite import EVIL_FEED

BASE = "https://haber.example/"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Haber</title>
<item><title>Malatya'da deprem tatbikatı &amp; tahliye</title><link>/news/deprem.html?utm_source=rss</link>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0300</pubDate></item>
<item><title>مؤتمر صحفي</title><guid isPermaLink="true">https://haber.example/news/ar.html</guid><pubDate>not a date</pubDate></item>
<item><title>Script</title><link>javascript:alert(1)</link></item>
<item><title>Again</title><link>https://haber.example/news/deprem.html</link></item>
</channel></rss>""".encode()

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<item rdf:about="https://haber.example/a"><title>A</title><link>https://haber.example/a</link><dc:date>2026-11-23T08:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; news</title><link rel="alternate" href="https://haber.example/b"/><link rel="edit" href="https://haber.example/edit/b"/><updated>2026-11-23T09:30:00+01:00</updated></entry>
<entry><title>No link</title></entry></feed>"""

SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://haber.example/c</loc><news:news><news:title>C haberi</news:title><news:publication_date>2026-11-23T07:00:00Z</news:publication_date></news:news></url>
<url><loc>https://haber.example/d</loc><lastmod>2026-11-22</lastmod></url></urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://haber.example/sitemap-1.xml</loc></sitemap><sitemap><loc>/sitemap-2.xml</loc></sitemap></sitemapindex>"""


def test_rss_items_with_titles_dates_and_canonical_links() -> None:
    entries = parse_feed(RSS, BASE)
    assert [e.url for e in entries] == [
        "https://haber.example/news/deprem.html",
        "https://haber.example/news/ar.html",
    ]
    assert entries[0].title == "Malatya'da deprem tatbikatı & tahliye"
    assert entries[0].published_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert entries[1].title == "مؤتمر صحفي" and entries[1].published_at is None


def test_rss_1_and_atom() -> None:
    assert [(e.url, e.published_at) for e in parse_feed(RDF, BASE)] == [
        ("https://haber.example/a", datetime(2026, 11, 23, 8, tzinfo=UTC))
    ]
    (entry,) = parse_feed(ATOM, BASE)
    assert (entry.url, entry.title) == ("https://haber.example/b", "Bold news")
    assert entry.published_at == datetime(2026, 11, 23, 8, 30, tzinfo=UTC)


def test_news_sitemap_and_sitemap_index() -> None:
    entries, children = parse_sitemap(SITEMAP, BASE)
    assert [(e.url, e.title) for e in entries] == [
        ("https://haber.example/c", "C haberi"),
        ("https://haber.example/d", None),
    ]
    assert children == []
    assert parse_sitemap(INDEX, BASE) == (
        [],
        ["https://haber.example/sitemap-1.xml", "https://haber.example/sitemap-2.xml"],
    )


def test_listing_links_matching_the_pattern() -> None:
    page = '<nav><a href="/about">About</a></nav><a href="/news/a-b.html">A b</a><a href="/news/a-b.html">A b again</a><a href="/news/x.pdf">pdf</a>'
    assert [(e.url, e.title) for e in parse_listing(page, BASE, r"/news/[a-z-]+\.html$")] == [
        ("https://haber.example/news/a-b.html", "A b")
    ]


@pytest.mark.parametrize(
    "body",
    [
        EVIL_FEED,
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss><channel><item><title>&x;</title></item></channel></rss>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_entity_declarations_are_refused_before_parsing(body: bytes) -> None:
    started = time.monotonic()
    with pytest.raises(FeedError, match="DTD/entity declarations are refused"):
        parse_feed(body, BASE)
    assert time.monotonic() - started < 0.5


@pytest.mark.parametrize(
    "body", [b"", b"not xml at all", b"<html><body>a page</body></html>", b"<rss><channel>"]
)
def test_what_is_not_a_feed_is_a_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body, BASE)


def test_a_gzipped_sitemap_is_unpacked_and_a_gzip_bomb_refused() -> None:
    import gzip

    from pipeline.scrape.discover import gunzipped

    entries, _ = parse_sitemap(gzip.compress(SITEMAP), BASE)
    assert len(entries) == 2
    with pytest.raises(FeedError, match="decompresses to over"):
        gunzipped(gzip.compress(b"<urlset>" + b" " * 2_000_000), cap=1_000_000)
