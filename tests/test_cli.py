"""The command line: the language commands (other commands are exercised by the integration tests)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main


def run(*args: str, stdin: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_detect_lang_reads_stdin_one_text_per_line() -> None:
    out = run(
        "detect-lang",
        stdin="Belediye meclisi yeni bütçeyi onayladı ve toplantı sona erdi\n\n12345\nسەرۆکی هەرێمی کوردستان لەگەڵ شاندێکی ئەڵمانی کۆبووەوە\n",
    )
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["lang"] for r in rows] == ["tr", "und", "und", "ckb"]
    assert all(0.0 <= r["confidence"] <= 1.0 for r in rows)
    assert rows[1]["confidence"] == 0.0


def test_detect_lang_reads_files_with_a_chosen_engine(tmp_path: Path) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text(
        "The council approved the new budget on Tuesday after a long debate.\n", encoding="utf-8"
    )
    second.write_text("Le conseil municipal a approuvé mardi le nouveau budget.\n", encoding="utf-8")
    for engine in ("fasttext", "langdetect", "fasttext+langdetect"):
        out = run("detect-lang", "--engine", engine, str(first), str(second))
        assert [json.loads(line)["lang"] for line in out.splitlines()] == ["en", "fr"]


def test_detect_lang_refuses_an_unknown_engine() -> None:
    result = CliRunner().invoke(main, ["detect-lang", "--engine", "cld3"], input="text\n")
    assert result.exit_code == 2
    assert "cld3" in result.output


def test_eval_lang_prints_accuracy_per_language_and_speed(tmp_path: Path) -> None:
    for lang, text in [
        ("tr", "Belediye meclisi uzun bir tartışmanın ardından salı günü yeni bütçeyi onayladı."),
        ("en", "The city council approved the new budget on Tuesday after a long debate."),
    ]:
        (tmp_path / lang).mkdir()
        (tmp_path / lang / "teaser.txt").write_text(text + "\n", encoding="utf-8")
    out = run("eval", "lang", str(tmp_path), "--engine", "fasttext", "--json")
    report = json.loads(out)["fasttext"]
    assert report["languages"]["tr"]["teaser"] == 1.0
    assert report["overall"]["teaser"]["accuracy"] == 1.0
    assert report["texts_per_second"]["teaser"] > 0


def test_redeliver_since_takes_an_iso_time_or_an_age() -> None:
    from datetime import UTC, datetime, timedelta

    import click
    import pytest as _pytest

    from pipeline.cli.alerts import parse_since
    from pipeline.messages import utcnow

    assert parse_since("2026-12-05") == datetime(2026, 12, 5, tzinfo=UTC)
    assert parse_since("2026-12-05T14:00Z") == datetime(2026, 12, 5, 14, tzinfo=UTC)
    since = parse_since("6h")
    assert since is not None
    assert timedelta(hours=6) - timedelta(seconds=1) < utcnow() - since < timedelta(hours=6, minutes=1)
    assert parse_since(None) is None
    with _pytest.raises(click.BadParameter, match="30m, 6h, 2d"):
        parse_since("yesterday")
