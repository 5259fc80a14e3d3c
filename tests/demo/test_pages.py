"""The bundled sample pages are well-formed and go through the split stage."""

from __future__ import annotations

from pipeline.demo.runner import sample_pages
from pipeline.split import split_page


def test_every_manifest_entry_has_its_file_and_splits() -> None:
    samples = sample_pages()
    assert len(samples) >= 10
    for sample in samples:
        stories = split_page(sample.page)
        assert stories and stories[0].kind == "article"
        assert sample.searches, f"{sample.page.canonical_url} has no demo searches"
