"""RawPages from local files or standard input, for `wirestream split` and `wirestream publish`."""

from __future__ import annotations

from pathlib import Path

from pipeline.errors import UserError
from pipeline.messages import RawPage


def looks_like_html(body: str) -> bool:
    return body.lstrip()[:1] == "<"


def page_from_file(
    path: Path, site: str | None, url: str | None, content_type: str | None, language_hint: str | None = None
) -> RawPage:
    raw = path.read_bytes()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 ({exc}); convert it first (iconv -t utf-8)") from exc
    if content_type is None:
        looks_html = path.suffix.lower() in (".html", ".htm") or looks_like_html(body)
        content_type = "text/html" if looks_html else "text/plain"
    page_url = url or path.resolve().as_uri()
    return RawPage.model_validate(
        {
            "url": page_url,
            "canonical_url": page_url,
            "site": site or "local",
            "content_type": content_type,
            "body": body,
            "language_hint": language_hint,
        }
    )


def page_from_text(body: str, url: str | None, site: str | None, content_type: str | None) -> RawPage:
    """A page read from standard input (HTML when it starts with a tag, unless told)."""
    page_url = url or "stdin:"
    return RawPage(
        url=page_url,
        canonical_url=page_url,
        site=site or "local",
        content_type=content_type or ("text/html" if looks_like_html(body) else "text/plain"),
        body=body,
    )
