"""Article URLs from feeds, news sitemaps and listing pages (pure: bytes in, entries out).

Feeds and sitemaps are untrusted XML: a document with a DOCTYPE is refused outright (no news feed
needs one, and it is how entity-expansion attacks such as "billion laughs" and external entities
come in); the parser never touches the network and never expands entities.
"""

from __future__ import annotations

import email.utils
import html
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from pipeline.scrape.urls import URLError, canonicalize

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Entry:
    url: str  # canonical, absolute
    title: str | None
    published_at: datetime | None  # UTC


class FeedError(ValueError):
    """A feed or sitemap that cannot be read, with the reason."""


#: Largest feed or sitemap accepted, after decompression.
MAX_XML_BYTES = 50 * 1024 * 1024


def gunzipped(body: bytes, cap: int = MAX_XML_BYTES) -> bytes:
    """A sitemap served as a .gz file (gzip bytes, no Content-Encoding) unpacked, at most ``cap``."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    decoder = zlib.decompressobj(wbits=31)
    try:
        data = decoder.decompress(body, cap + 1)
    except zlib.error as exc:
        raise FeedError(f"corrupt gzip: {exc}") from exc
    if len(data) > cap or decoder.unconsumed_tail:
        raise FeedError(f"decompresses to over {cap} bytes")
    return data


def parse_xml(body: bytes) -> Any:
    """The root element of untrusted XML; FeedError for a DOCTYPE or anything not well-formed."""
    body = gunzipped(body)
    if _DOCTYPE.search(body[:65536]):
        raise FeedError("DTD/entity declarations are refused (entity-expansion attacks)")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from exc
    except ValueError as exc:
        raise FeedError(f"not XML: {exc}") from exc
    if root is None:
        raise FeedError("not XML: empty document")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(element: Any) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext())
    text = _SPACE.sub(" ", html.unescape(_TAG.sub(" ", text))).strip()
    return text or None


def _child(element: Any, name: str) -> Any:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    value = value.strip()
    try:
        parsed = email.utils.parsedate_to_datetime(value)  # RFC 822 (RSS)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))  # RFC 3339 / W3C (Atom, sitemaps)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _entry(link: str | None, base_url: str, title: str | None, date: str | None) -> Entry | None:
    if not link:
        return None
    try:
        return Entry(canonicalize(link.strip(), base=base_url), title, _date(date))
    except URLError:
        return None  # javascript:, mailto:, garbage: not an article


def _unique(entries: list[Entry | None]) -> list[Entry]:
    seen: dict[str, Entry] = {}
    for entry in entries:
        if entry is not None and entry.url not in seen:
            seen[entry.url] = entry
    return list(seen.values())


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Items of an RSS 2.0, RSS 1.0 (RDF) or Atom feed."""
    root = parse_xml(body)
    kind = _local(root.tag)
    entries: list[Entry | None] = []
    if kind == "feed":  # Atom
        for item in root:
            if _local(item.tag) != "entry":
                continue
            link = None
            for child in item:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
            published = _child(item, "published")
            updated = _child(item, "updated")
            date = published if published is not None else updated
            entries.append(_entry(link, base_url, _text(_child(item, "title")), _text(date)))
    elif kind in ("rss", "RDF"):
        items = [e for e in root.iter() if _local(e.tag) == "item"]
        for item in items:
            link = _text(_child(item, "link"))
            if link is None:
                guid = _child(item, "guid")
                if guid is not None and guid.get("isPermaLink", "true") == "true":
                    link = _text(guid)
            date = _child(item, "pubDate")
            if date is None:
                date = _child(item, "date")  # dc:date
            entries.append(_entry(link, base_url, _text(_child(item, "title")), _text(date)))
    else:
        raise FeedError(f"not a feed: the root element is <{kind or root.tag}>")
    return _unique(entries)


def parse_sitemap(body: bytes, base_url: str) -> tuple[list[Entry], list[str]]:
    """(entries of a urlset, child sitemap URLs of a sitemap index)."""
    root = parse_xml(body)
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children = []
        for sitemap in root:
            loc = _text(_child(sitemap, "loc"))
            entry = _entry(loc, base_url, None, None)
            if entry is not None:
                children.append(entry.url)
        return [], list(dict.fromkeys(children))
    if kind != "urlset":
        raise FeedError(f"not a sitemap: the root element is <{kind or root.tag}>")
    entries: list[Entry | None] = []
    for url in root:
        if _local(url.tag) != "url":
            continue
        news = _child(url, "news")
        title = _text(_child(news, "title")) if news is not None else None
        date = _text(_child(news, "publication_date")) if news is not None else None
        entries.append(
            _entry(_text(_child(url, "loc")), base_url, title, date or _text(_child(url, "lastmod")))
        )
    return _unique(entries), []


def parse_listing(page: str | bytes, base_url: str, pattern: str) -> list[Entry]:
    """Links of a listing page whose canonical URL matches ``pattern`` (re.search)."""
    regex = re.compile(pattern)
    try:
        document = lxml_html.document_fromstring(page or "<html></html>")
    except (ValueError, etree.ParserError):
        return []
    entries: list[Entry | None] = []
    for anchor in document.iter("a"):
        entry = _entry(anchor.get("href"), base_url, _text(anchor), None)
        if entry is not None and regex.search(entry.url):
            entries.append(entry)
    return _unique(entries)
