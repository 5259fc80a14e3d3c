"""Canonical URLs (pure): one spelling per page, so a page is fetched and published once.

Lowercase scheme and host (IDNA for non-ASCII names), no default port, no fragment, dot segments
resolved, percent-encoding normalised, and tracking parameters dropped (the rest keep their order:
some servers care). ``rel=canonical`` is read from the fetched page.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html


def _words(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


#: Query parameters that only say where a click came from (never which page it is).
TRACKING_PARAMS = _words(
    "fbclid gclid gclsrc dclid gbraid wbraid msclkid yclid twclid ttclid li_fat_id igshid mc_cid "
    "mc_eid _ga _gl _hsenc _hsmi __hstc __hssc __hsfp hsctatracking mkt_tok oly_anon_id oly_enc_id "
    "rb_clickid s_cid vero_conv vero_id wickedid ref_src ref_url cmpid ncid spm scid at_medium "
    "at_campaign at_custom1 at_custom2 at_custom3 at_custom4 at_platform at_send_date at_recipient_id "
    "at_recipient_list"
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hmb_")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_QUERY_SAFE = "!$'()*+,;:@/?="


class URLError(ValueError):
    """A URL that cannot or must not be fetched."""


def _normalise_escapes(part: str, safe: str) -> str:
    """Decode escapes of unreserved characters, uppercase the others, escape what must be."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return quote(_ESCAPE.sub(fix, part), safe=safe + "%")


def _path(path: str) -> str:
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    if path.endswith(("/.", "/..")):
        segments.append("")
    normalised = "/".join(segments) or "/"
    if not normalised.startswith("/"):
        normalised = "/" + normalised
    return _normalise_escapes(normalised, safe="/:@!$&'()*+,;=-._~")


def _is_tracking(name: str) -> bool:
    lowered = unquote(name).lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def canonicalize(url: str, base: str | None = None) -> str:
    """The canonical absolute form of an http(s) URL; URLError for anything else."""
    raw = url.strip()
    if not raw:
        raise URLError("empty URL")
    if base is not None:
        raw = urljoin(base, raw)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise URLError(f"unparsable URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise URLError(f"scheme {scheme or '(none)'!r} is not fetched (only http and https)")
    if parts.username is not None or parts.password is not None:
        raise URLError("URLs with credentials are refused")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise URLError(f"no host in {url!r}")
    try:
        host = host.encode("idna").decode("ascii").lower() if not host.isascii() else host.lower()
    except UnicodeError as exc:
        raise URLError(f"bad host name {host!r}: {exc}") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = "&".join(
        f"{_normalise_escapes(k, _QUERY_SAFE)}={_normalise_escapes(v, _QUERY_SAFE)}"
        if has_value
        else _normalise_escapes(k, _QUERY_SAFE)
        for k, v, has_value in _query(parts.query)
        if not _is_tracking(k)
    )
    return urlunsplit((scheme, netloc, _path(parts.path), query, ""))


def _query(query: str) -> list[tuple[str, str, bool]]:
    """(name, value, had '=') in order, blank values kept, escapes left as they were."""
    items = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        items.append((name, value, bool(sep)))
    return items


def canonical_link(page: str | bytes, page_url: str) -> str | None:
    """The page's ``<link rel="canonical">`` in its head, canonicalised; None when absent or unusable."""
    try:
        document = lxml_html.document_fromstring(page[:300_000] if page else "<html></html>")
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    for link in document.iterfind(".//head/link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if rel == ["canonical"] and href:
            try:
                return canonicalize(href, base=page_url)
            except URLError:
                return None
    return None


def host_key(url: str) -> str:
    """host[:port] of an http(s) URL, lowercase: the key of per-host politeness."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    return host if port in (None, default) else f"{host}:{port}"
