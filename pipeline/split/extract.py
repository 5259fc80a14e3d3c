"""HTML -> (title, main text) (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import PermanentError


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Main-content extraction with trafilatura; raises PermanentError when nothing is left."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
        )
    except Exception as exc:  # trafilatura raises assorted parser errors on broken markup
        raise PermanentError(f"HTML could not be parsed: {exc}") from exc
    # trafilatura 2.x returns a Document with __slots__ (no __dict__): use its as_dict()
    fields = doc if isinstance(doc, dict) else (doc.as_dict() if doc is not None else {})
    title = str(fields.get("title") or "").strip() or None
    lines = str(fields.get("text") or "").strip().splitlines()
    if title and lines and lines[0].strip() == title:
        lines = lines[1:]  # trafilatura repeats the <h1> at the top of the text
    text = "\n".join(lines).strip()
    if not text:
        raise PermanentError("no main text found in the HTML")
    return Extracted(title=title, text=text)


def split_text_lines(text: str) -> list[str]:
    """Paragraphs of an already-extracted text page: non-empty lines, whitespace folded."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def trafilatura_text(html: str, url: str | None = None) -> str:
    """Plain ``trafilatura.extract`` with its defaults: the yardstick the HTML path is measured against."""
    import trafilatura

    try:
        return str(trafilatura.extract(html, url=url) or "")
    except Exception:  # assorted parser errors on broken markup: no text
        return ""
