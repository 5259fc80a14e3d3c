"""Bytes to text: declared charsets when they decode, detection when nothing is declared."""

from __future__ import annotations

from pipeline.scrape.charset import decode

TURKISH = "<html><body><h1>Şırnak'ta doğal gaz müjdesi</h1><p>Çiftçiler ve esnaf, kışın ısınma giderlerinin düşeceğini söyledi. Belediye başkanı, İpekyolu üzerindeki köylere de boru hattı döşeneceğini açıkladı.</p></body></html>"


def test_header_charset_is_used() -> None:
    assert decode(TURKISH.encode("cp1254"), "text/html; charset=windows-1254") == (TURKISH, "cp1254")


def test_meta_charset_is_used() -> None:
    page = TURKISH.replace("<html>", '<html><head><meta charset="iso-8859-9"></head>')
    text, charset = decode(page.encode("iso-8859-9"), "text/html")
    assert text == page
    assert charset == "iso8859-9"


def test_undeclared_single_byte_turkish_is_detected() -> None:
    text, _ = decode(TURKISH.encode("cp1254"), "text/html")
    assert "Şırnak'ta doğal gaz müjdesi" in text


def test_utf8_without_declaration_and_a_lying_header() -> None:
    assert decode(TURKISH.encode("utf-8"), "text/html")[0] == TURKISH
    assert decode(TURKISH.encode("utf-8"), "text/html; charset=us-ascii")[0] == TURKISH  # header lies


def test_bom_wins() -> None:
    assert decode("Hello".encode("utf-8-sig"), "text/html; charset=iso-8859-1") == (
        "Hello",
        "utf-8-sig",
    )
