"""Canonical URLs: one spelling per page."""

from __future__ import annotations

import pytest

from pipeline.scrape.urls import URLError, canonical_link, canonicalize, host_key


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTP://News.Example.COM:80/a/./b/../c.html#top", "http://news.example.com/a/c.html"),
        ("https://x.example:443", "https://x.example/"),
        (
            "https://x.example/a?utm_source=rss&id=5&utm_medium=feed&fbclid=abc&page=2",
            "https://x.example/a?id=5&page=2",
        ),
        ("https://x.example/a?gclid=1&_ga=2&mc_cid=3", "https://x.example/a"),
        ("https://x.example/a?b=2&a=1", "https://x.example/a?b=2&a=1"),  # order kept
        ("https://x.example/a?flag&empty=", "https://x.example/a?flag&empty="),
        ("https://x.example/%7euser/%2f", "https://x.example/~user/%2F"),
        ("https://bücher.example/ş", "https://xn--bcher-kva.example/%C5%9F"),
        ("  https://x.example/a  ", "https://x.example/a"),
        ("http://127.0.0.1:8080/news/a.html", "http://127.0.0.1:8080/news/a.html"),
    ],
)
def test_canonical_form(url: str, canonical: str) -> None:
    assert canonicalize(url) == canonical
    assert canonicalize(canonical) == canonical  # stable


def test_relative_links_resolve_against_the_base() -> None:
    assert (
        canonicalize("../b.html?utm_campaign=x", base="https://x.example/news/a/")
        == "https://x.example/news/b.html"
    )


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "mailto:desk@x.example",
        "file:///etc/passwd",
        "ftp://x.example/",
        "data:text/html,hi",
        "https://user:pw@x.example/",
        "https://x.example:99999/",
        "",
        "http://",
    ],
)
def test_urls_that_are_not_fetched(url: str) -> None:
    with pytest.raises(URLError):
        canonicalize(url)


def test_rel_canonical_in_the_head() -> None:
    page = '<html><head><link rel="Canonical" href="/news/a.html?utm_source=x"></head><body></body></html>'
    assert canonical_link(page, "https://x.example/news/a.html?page=1") == "https://x.example/news/a.html"
    assert (
        canonical_link(
            '<html><head><link rel="canonical amphtml" href="/amp"></head></html>', "https://x.example/"
        )
        is None
    )
    assert canonical_link("<html><head></head></html>", "https://x.example/") is None
    assert canonical_link('<link rel="canonical" href="javascript:x">', "https://x.example/") is None


def test_host_key() -> None:
    assert host_key("https://A.example:443/x") == "a.example"
    assert host_key("http://127.0.0.1:8080/") == "127.0.0.1:8080"
