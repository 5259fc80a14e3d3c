"""Bytes of a fetched page -> text (pure): the declared charset when it decodes, else detection.

Order: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (legacy single-byte text almost never
is, and servers often declare a wrong legacy charset for UTF-8 pages); the HTTP header's charset, a
``<meta charset>`` / ``http-equiv`` or XML declaration; then statistical detection; then UTF-8 with
replacement characters. A declared charset that does not decode the bytes is ignored.

Detection (charset-normalizer) often finds several single-byte charsets equally clean: Turkish in
windows-1254 decodes without errors as windows-1252 too ("Þýrnak" for "Şırnak"). Among the clean
candidates, the one whose letters best fit the alphabet of the language detected in it wins (then
the detector's confidence).
"""

from __future__ import annotations

import codecs
import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*\"?([A-Za-z0-9._:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """(text, charset used). Never raises."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = body[:4096]
    declared: list[str | None] = [header_charset(content_type)]
    for pattern in (_META, _XML):
        match = pattern.search(head)
        if match:
            declared.append(match.group(1).decode("ascii", "ignore"))
    for declared_name in declared:
        codec = _codec(declared_name)
        if codec is None:
            continue
        if codec in ("latin-1", "iso8859-1", "ascii"):
            codec = "cp1252"  # browsers read "iso-8859-1" and "us-ascii" as windows-1252 (WHATWG)
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    detected = _detect(body)
    if detected:
        return body.decode(detected, errors="replace"), detected
    return body.decode("utf-8", errors="replace"), "utf-8"


_TAG = re.compile(r"<[^>]*>|&\w+;")


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    from pipeline.language import alphabet_fit, detect

    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return None
    least = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos <= least + 0.02][:8]

    def sureness(match: object) -> tuple[float, float]:
        text = _TAG.sub(" ", str(match))[:3000]
        lang, confidence = detect(text, "fasttext")
        return alphabet_fit(text, lang) or 0.0, confidence

    best = max(clean, key=sureness) if len(clean) > 1 else clean[0]
    return _codec(best.encoding)
