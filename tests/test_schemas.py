"""schemas/ is generated from the models; it must not drift."""

from __future__ import annotations

from pathlib import Path

from pipeline import schemas

COMMITTED = Path(__file__).resolve().parents[1] / "schemas"


def test_committed_schemas_match_the_models() -> None:
    stale = [
        name
        for name, content in schemas.rendered().items()
        if not (COMMITTED / name).is_file() or (COMMITTED / name).read_text() != content
    ]
    assert not stale, f"schemas/ is out of date for {stale}: run `wirestream schemas export` and commit"
