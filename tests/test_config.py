"""Settings: WIRESTREAM_* environment variables, secrets kept secret, and as_env() round trips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from pipeline.config import Settings, as_env


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No WIRESTREAM_* variable from the caller's shell and no .env file in the working directory."""
    for name in list(os.environ):
        if name.startswith("WIRESTREAM_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_without_environment() -> None:
    settings = Settings()
    assert settings.topic_prefix == "news"
    assert settings.kafka_password is None
    assert settings.worker_web_enabled is True


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRESTREAM_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("WIRESTREAM_TOPIC_PREFIX", "staging")
    monkeypatch.setenv("WIRESTREAM_TOPIC_PARTITIONS", "12")
    monkeypatch.setenv("WIRESTREAM_ELASTICSEARCH_TIMEOUT", "2.5")
    monkeypatch.setenv("WIRESTREAM_WORKER_WEB_ENABLED", "false")
    monkeypatch.setenv("WIRESTREAM_STATE_DIR", "/srv/wirestream")
    monkeypatch.setenv("WIRESTREAM_LOG_FORMAT", "json")
    settings = Settings()
    assert settings.kafka_bootstrap_servers == "k1:9092,k2:9092"
    assert settings.topic_prefix == "staging"
    assert settings.topic_partitions == 12
    assert settings.elasticsearch_timeout == 2.5
    assert settings.worker_web_enabled is False
    assert settings.state_dir == Path("/srv/wirestream")
    assert settings.log_format == "json"


def test_variable_names_are_case_insensitive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("wirestream_index_alias", "lower-stories")
    assert Settings().index_alias == "lower-stories"


def test_a_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("WIRESTREAM_INDEX_ALIAS=from-dotenv\n")
    assert Settings().index_alias == "from-dotenv"


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRESTREAM_TOPIC_PARTITIONS", "0")
    with pytest.raises(ValidationError, match="topic_partitions"):
        Settings()


def test_secrets_are_secret_and_hidden_from_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WIRESTREAM_KAFKA_PASSWORD", "kafka-hunter2")
    monkeypatch.setenv("WIRESTREAM_ELASTICSEARCH_PASSWORD", "es-hunter2")
    monkeypatch.setenv("WIRESTREAM_ELASTICSEARCH_API_KEY", "api-key-hunter2")
    settings = Settings()
    for secret in (settings.kafka_password, settings.elasticsearch_password, settings.elasticsearch_api_key):
        assert isinstance(secret, SecretStr)
    assert settings.kafka_password is not None
    assert settings.kafka_password.get_secret_value() == "kafka-hunter2"
    for shown in (repr(settings), str(settings), settings.model_dump_json()):
        assert "hunter2" not in shown


def test_settings_are_frozen() -> None:
    with pytest.raises(ValidationError):
        Settings().topic_prefix = "changed"  # type: ignore[misc]


def test_as_env_round_trips_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    original = Settings()
    for name, value in as_env(original).items():
        monkeypatch.setenv(name, value)
    assert Settings() == original


def test_as_env_round_trips_every_kind_of_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    original = Settings(
        kafka_bootstrap_servers="k1:9092,k2:9092",
        kafka_security_protocol="SASL_SSL",
        kafka_username="ingest",
        kafka_password="kafka secret with spaces",
        topic_prefix="t123",
        topic_partitions=7,
        elasticsearch_api_key="api=key==",
        elasticsearch_timeout=2.5,
        worker_web_enabled=False,
        bulk_linger_seconds=0.3,
        stack_cache_dir=tmp_path / "cache dir",
        state_dir=tmp_path / "state",
        log_format="console",
    )
    env = as_env(original)
    assert all(name.startswith("WIRESTREAM_") and isinstance(value, str) for name, value in env.items())
    assert env["WIRESTREAM_KAFKA_PASSWORD"] == "kafka secret with spaces"
    assert env["WIRESTREAM_WORKER_WEB_ENABLED"] == "false"
    assert "WIRESTREAM_ELASTICSEARCH_PASSWORD" not in env  # unset stays unset
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert Settings() == original
