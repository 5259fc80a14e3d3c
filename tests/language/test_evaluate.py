"""The language evaluation set and the accuracy targets the default engine must keep.

Speed is measured by `wirestream eval lang` / `wirestream bench lang` and reported in the README, not
asserted here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.language import DEFAULT_ENGINE, Detection, detect
from pipeline.language.evaluate import Report, evaluate_engines, load, score

SET = Path(__file__).parents[1] / "data" / "lang"
TARGETS = {"headline": 0.990, "teaser": 0.998, "article": 0.999}
REQUIRED = {"ckb", "kmr", "az", "fa", "ur", "ar", "tr"}
# (min, max) characters; Chinese, Japanese and Korean pack a headline into fewer characters
BOUNDS = {"headline": (40, 120), "teaser": (150, 400), "article": (700, 10_000)}
CJK_BOUNDS = {"headline": (15, 60), "teaser": (60, 200), "article": (300, 10_000)}


@pytest.fixture(scope="module")
def samples() -> list:
    return load(SET)


def test_the_set_covers_25_languages_each_at_three_lengths(samples: list) -> None:
    langs = {s.lang for s in samples}
    assert len(langs) >= 25
    assert langs >= REQUIRED
    for lang in langs:
        lengths = {s.length for s in samples if s.lang == lang}
        assert lengths == set(TARGETS), lang


def test_every_text_has_the_length_of_its_class(samples: list) -> None:
    for s in samples:
        low, high = (CJK_BOUNDS if s.lang in ("zh", "ja", "ko") else BOUNDS)[s.length]
        assert low <= len(s.text) <= high, s.source


#: Languages added for issue 14 (African, South Slavic, Scandinavian): scored once before any tuning
#: for them (README); the engine does not reach TARGETS on them yet, so these floors guard the
#: figures it has.
ADDED = {"am", "bs", "da", "ha", "hr", "ig", "mk", "no", "rw", "so", "sr", "st", "tn", "xh", "yo", "zu"}
ADDED_FLOORS = {"headline": 0.90, "teaser": 0.96, "article": 0.98}


@pytest.mark.parametrize(("langs", "targets"), [("first", TARGETS), ("added", ADDED_FLOORS)])
def test_the_default_engine_meets_the_targets(samples: list, langs: str, targets: dict[str, float]) -> None:
    chosen = [s for s in samples if (s.lang in ADDED) == (langs == "added")]
    result = score(chosen, lambda text: detect(text, DEFAULT_ENGINE))
    for length, target in targets.items():
        accuracy = result.accuracy(length=length)
        assert accuracy is not None
        misses = [f"{s.source}: {d.lang}" for s, d in result.misses if s.length == length]
        assert accuracy >= target, (length, accuracy, misses)


def test_the_set_covers_45_languages(samples: list) -> None:
    assert len({s.lang for s in samples}) >= 45


def test_scores_per_language_and_length(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "headline.txt").write_text("one\ntwo\n\nthree\n", encoding="utf-8")
    samples = load(tmp_path)
    assert [s.source.rsplit(":", 1)[1] for s in samples] == ["1", "2", "4"]  # blank lines skipped
    result = score(samples, lambda text: Detection("en" if text != "two" else "de", 0.9))
    assert result.accuracy("en", "headline") == pytest.approx(2 / 3)
    assert result.accuracy(length="teaser") is None
    assert [s.text for s, _ in result.misses] == ["two"]


def test_an_empty_set_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no <lang>"):
        load(tmp_path)


def test_report_has_accuracy_and_speed_per_engine(tmp_path: Path) -> None:
    (tmp_path / "tr").mkdir()
    (tmp_path / "tr" / "teaser.txt").write_text(
        "Belediye meclisi uzun bir tartışmanın ardından salı günü yeni bütçeyi onayladı.\n", encoding="utf-8"
    )
    report: Report = evaluate_engines(tmp_path, ("fasttext",), min_seconds=0.05)
    data = report.as_dict()["fasttext"]
    assert data["overall"]["teaser"] == {"accuracy": 1.0, "texts": 1}
    assert data["texts_per_second"]["teaser"] > 0
    text = report.render(misses=True)
    assert "tr" in text
    assert "texts/s" in text
