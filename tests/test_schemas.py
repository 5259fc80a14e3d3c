"""schemas/ is generated from the models; it must not drift."""

from __future__ import annotations

from pipeline import schemas


def test_committed_schemas_match_the_models() -> None:
    stale = [
        name
        for name, content in schemas.rendered().items()
        if not (schemas.DEFAULT_DIR / name).is_file() or (schemas.DEFAULT_DIR / name).read_text() != content
    ]
    assert not stale, f"schemas/ is out of date for {stale}: run `wirestream schemas export` and commit"
