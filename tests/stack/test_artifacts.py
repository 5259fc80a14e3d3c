"""Versions come from the pom; downloads are atomic; missing tools give clear errors."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest

from pipeline.errors import UserError
from pipeline.stack import artifacts


def test_versions_are_pinned_in_the_pom() -> None:
    pinned = artifacts.pinned_versions()
    assert pinned.kafka.startswith("4.")
    assert pinned.elasticsearch.count(".") == 2


def test_python_client_major_equals_server_major() -> None:
    assert version("elasticsearch").split(".")[0] == artifacts.pinned_versions().elasticsearch.split(".")[0]


def test_missing_maven_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifacts.shutil, "which", lambda _name: None)
    with pytest.raises(UserError, match=r"`mvn` is not on PATH.*apt-get install maven"):
        artifacts.require_tool("mvn", "fetch Kafka")


def test_missing_java_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifacts.shutil, "which", lambda _name: None)
    with pytest.raises(UserError, match="`java` is not on PATH"):
        artifacts.java_home()


def test_failed_download_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_maven(pom: Path, args: list[str], what: str) -> None:
        staging = Path(next(a for a in args if a.startswith("-Dstack.out=")).split("=", 1)[1])
        (staging / "libs").mkdir()
        (staging / "libs" / "half-a-jar.jar").write_bytes(b"PK")
        raise UserError(f"could not fetch {what}")

    monkeypatch.setattr(artifacts, "_run_maven", broken_maven)
    with pytest.raises(UserError, match="could not fetch"):
        artifacts.kafka_home(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_download_that_yields_nothing_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(artifacts, "_run_maven", lambda pom, args, what: None)
    with pytest.raises(UserError, match="incomplete"):
        artifacts.kafka_home(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_complete_install_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake_maven(pom: Path, args: list[str], what: str) -> None:
        calls.append(what)
        staging = Path(next(a for a in args if a.startswith("-Dstack.out=")).split("=", 1)[1])
        (staging / "libs").mkdir()
        (staging / "libs" / "kafka_2.13-4.1.1.jar").write_bytes(b"PK")

    monkeypatch.setattr(artifacts, "_run_maven", fake_maven)
    first = artifacts.kafka_home(tmp_path)
    second = artifacts.kafka_home(tmp_path)
    assert first == second and len(calls) == 1
    assert (first / "libs" / "kafka_2.13-4.1.1.jar").exists()
