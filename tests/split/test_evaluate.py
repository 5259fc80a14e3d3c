"""The split scorer, the labelled evaluation set, and the quality the splitter keeps on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pipeline.fingerprint import normalise
from pipeline.messages import Story
from pipeline.split import split_page
from pipeline.split.evaluate import evaluate_split, labelled_pages, score_page, token_f1

DATA = Path(__file__).resolve().parents[1] / "data" / "split"
#: Written for issue 14 (24 languages) and scored once before the splitter changed for it.
LANGUAGES = Path(__file__).resolve().parents[1] / "data" / "split-languages"
#: Written for issue 14 in 12 more languages, kept away while tuning on LANGUAGES, scored once.
HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "split-holdout"
SHAPES = {
    "agency-legal-footer",
    "related-list",
    "inline-read-also",
    "news-in-brief",
    "live-blog",
    "single-long",
    "junk",
    "comments",
    "teasers-timestamps",
    "teasers-other-language",
}


def story(text: str, kind: str = "teaser", title: str | None = None) -> Story:
    return Story(
        id="x", kind=kind, title=title, text=text, site="s", page_url="u", fingerprint="f", position=0
    )  # type: ignore[arg-type]


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c")[2] == 1.0
    assert token_f1("a b", "c d")[2] == 0.0
    assert round(token_f1("a b c d", "a b")[2], 3) == round(2 * 0.5 * 1 / 1.5, 3)


def test_score_page_counts_boundaries_stories_and_leaks() -> None:
    label = {
        "stories": [
            {"kind": "article", "title": "T", "text": "one two three four five six"},
            {"kind": "teaser", "title": None, "text": "alpha beta gamma delta epsilon"},
        ],
        "boilerplate": ["share this story", "Messina"],
    }
    perfect = score_page(
        "p",
        label,
        [story("one two three four five six", "article", "T"), story("alpha beta gamma delta epsilon")],
    )
    assert perfect.boundaries == (2, 2, 2) and perfect.story_f1s == [1.0, 1.0] and perfect.leaked == 0
    merged = score_page(
        "p",
        label,
        [
            story(
                "one two three four five six alpha beta gamma delta epsilon share this story", "article", "T"
            )
        ],
    )
    assert merged.boundaries == (1, 1, 2)
    assert merged.story_f1s[-1] == 0.0 and merged.leaked == 3  # "share this story" leaked, 3 tokens


@pytest.mark.parametrize(
    ("data", "least"),
    [(DATA, 60), (LANGUAGES, 60), (HOLDOUT, 36)],
    ids=["split", "split-languages", "split-holdout"],
)
def test_every_label_is_consistent_with_its_page(data: Path, least: int) -> None:
    pages = list(labelled_pages(data))
    assert len(pages) >= least, f"the evaluation set has at least {least} pages"
    assert len({label["lang"] for _, _, label in pages}) >= 8
    assert {label["shape"] for _, _, label in pages} == SHAPES
    for name, page, label in pages:
        visible = page.body
        if page.content_type == "text/html":
            root = lxml_html.fromstring(page.body)
            for junk in root.xpath("//script|//style|//title"):
                junk.drop_tree()
            visible = root.text_content()
        haystack = normalise(visible)
        assert label["stories"][0]["kind"] == "article", name
        for entry in label["stories"]:
            for paragraph in entry["text"].split("\n\n"):
                assert normalise(paragraph) in haystack, (
                    f"{name}: story text not on the page: {paragraph[:60]}"
                )
        for entry in label["boilerplate"]:
            assert normalise(entry) in haystack, f"{name}: boilerplate not on the page: {entry[:60]}"


@pytest.fixture(scope="module")
def summary() -> dict[str, float]:
    return evaluate_split(DATA, split_page).summary()


def test_the_splitter_keeps_its_quality_on_the_labelled_set(summary: dict[str, float]) -> None:
    # the targets of the splitting issue; the figures themselves are in the README
    assert summary["story_count_accuracy"] >= 0.97, json.dumps(summary)
    assert summary["boundary_f1"] >= 0.97, json.dumps(summary)
    assert summary["mean_story_token_f1"] >= 0.97, json.dumps(summary)
    assert summary["false_split_rate"] <= 0.02, json.dumps(summary)
    assert summary["boilerplate_leakage"] <= 0.005, json.dumps(summary)


#: Floors under today's development figures (count, boundary F1, token F1 at least; false splits,
#: leakage at most). The first scores, before any change for each set, are in its README; the
#: issue's targets (count 0.90, boundary 0.93, token 0.95, leakage 2%) are for unseen pages.
FLOORS = {
    "split-languages": (LANGUAGES, 0.88, 0.87, 0.91, 0.05, 0.06),
    "split-holdout": (HOLDOUT, 0.86, 0.90, 0.92, 0.09, 0.11),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_the_splitter_keeps_its_figures_on_the_sets_written_for_many_languages(name: str) -> None:
    data, count, boundary, token, false_splits, leakage = FLOORS[name]
    summary = evaluate_split(data, split_page).summary()
    shown = json.dumps(summary)
    assert summary["story_count_accuracy"] >= count, shown
    assert summary["boundary_f1"] >= boundary, shown
    assert summary["mean_story_token_f1"] >= token, shown
    assert summary["false_split_rate"] <= false_splits, shown
    assert summary["boilerplate_leakage"] <= leakage, shown
