"""`wirestream eval pages`: Fundus-format pages read in date order against their versions, tokens
(Han and kana one each), F1, leakage, teaser pieces, and teaser labels."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.messages import RawPage, Story
from pipeline.split import Link, SplitResult
from pipeline.split.evaluate_pages import (
    f1,
    leakage,
    load_labels,
    load_pages,
    piece_of,
    score_labels,
    score_page,
    summarise,
    tokens,
    trigrams,
)

BODY = "The harbour workers voted on Monday to accept the new contract after three weeks of talks."


def fundus_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "xx"
    folder.mkdir(exist_ok=True)
    versions = {
        "V1": {
            "title": "Old",
            "body": {"summary": [], "sections": [{"headline": [], "paragraphs": ["old text"]}]},
        },
        "V2": {
            "title": "New",
            "body": {"summary": ["Lead."], "sections": [{"headline": ["H"], "paragraphs": [BODY]}]},
        },
    }
    (folder / "Paper.json").write_text(json.dumps(versions))
    for date in ("2024_01_01", "2025_01_01"):
        (folder / f"Paper_{date}.html.gz").write_bytes(gzip.compress(f"<html><p>{date}</p></html>".encode()))
    (folder / "PaperTwo_2024_01_01.html.gz").write_bytes(gzip.compress(b"<html></html>"))  # another publisher
    (folder / "meta.info").write_text(
        json.dumps({"Paper_2025_01_01.html.gz": {"url": "https://paper.example/a"}})
    )
    return tmp_path


def test_pages_map_to_versions_in_date_order_and_only_chosen_publishers_are_read(tmp_path: Path) -> None:
    pages = list(load_pages(fundus_dir(tmp_path)))
    assert [(p.name, p.title) for p in pages] == [
        ("xx/Paper_2024_01_01.html.gz", "Old"),
        ("xx/Paper_2025_01_01.html.gz", "New"),
    ]
    assert pages[1].url == "https://paper.example/a" and pages[1].body == f"Lead.\nH\n{BODY}"
    assert list(load_pages(fundus_dir(tmp_path), publishers={"xx/Other"})) == []


def test_tokens_count_each_han_and_kana_character() -> None:
    assert tokens("東京で会議 Tokyo-2 summit") == ["東", "京", "で", "会", "議", "tokyo", "2", "summit"]


def test_f1_leakage_and_pieces() -> None:
    assert f1(tokens("a b c"), tokens("a b c")) == 1.0 and f1([], tokens("a")) == 0.0
    assert leakage(tokens("a b c d"), tokens("a b")) == 0.5
    body = trigrams(BODY)
    assert piece_of("The harbour workers voted on Monday to accept", body)
    assert not piece_of("Storms close the airport for a second day", body)


def story(kind: str, text: str, url: str | None = None, title: str | None = None) -> Story:
    return Story(
        id=text[:8],
        kind=kind,
        title=title,
        text=text,
        site="s",
        page_url="u",
        url=url,
        fingerprint="f",
        position=0,
    )  # type: ignore[arg-type]


def test_a_page_scores_its_article_against_the_body_and_flags_teasers_cut_from_it(tmp_path: Path) -> None:
    page = list(load_pages(fundus_dir(tmp_path)))[1]

    def split(raw: RawPage) -> list[Story]:
        return [
            story("article", f"Lead. H {BODY} Subscribe now"),
            story("teaser", BODY[:60]),
            story("teaser", "Floods close the bridge to the island on Tuesday."),
        ]

    score = score_page(page, split, lambda html, url: BODY)
    assert 0.9 < score.f1 < 1.0 and score.leakage > 0 and score.teasers == 2 and score.teaser_pieces == 1
    summary = summarise([score])
    assert summary["teasers_that_are_article_pieces"] == 1 and summary["pages_with_article_pieces"] == 1
    failing = score_page(
        page, lambda raw: (_ for _ in ()).throw(ValueError("no text")), lambda html, url: BODY
    )
    assert not failing.article and failing.problems


def test_teasers_are_matched_to_labels_by_url_or_text(tmp_path: Path) -> None:
    page = list(load_pages(fundus_dir(tmp_path)))[1]
    labels_dir = tmp_path / "labels"
    labels_dir.mkdir()
    label = {
        "page": page.name,
        "url": page.url,
        "teasers": [
            {
                "title": "Bridge closed",
                "lead": "Floods close the bridge to the island on Tuesday.",
                "url": "https://paper.example/b",
            }
        ],
        "links": [{"title": "Storm warning for the coast", "url": "https://paper.example/c?x=1"}],
    }
    (labels_dir / "p.json").write_text(json.dumps(label))
    labels = load_labels(labels_dir)

    def split(raw: RawPage) -> SplitResult:
        found = [
            story("article", BODY),
            story(
                "teaser", "Floods close the bridge to the island on Tuesday.", "https://paper.example/b#top"
            ),
            story("teaser", "Unrelated words here and there."),
        ]
        return SplitResult(found, [Link("Storm warning", "http://www.paper.example/c")], [])

    score = score_labels(page, labels[page.name], split)
    assert (score.teasers_found, score.teasers_right, score.teasers_recalled, score.items_recalled) == (
        2,
        1,
        1,
        2,
    )
