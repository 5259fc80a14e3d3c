"""Structured logs: one JSON object per record off a terminal, key=value context on one."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from pipeline.observability.logging import ConsoleFormatter, JsonFormatter, RepeatLimit, logging_config

CONTEXT = {"stage": "split", "topic": "news.pages.v1", "partition": 2, "offset": 41}


@pytest.fixture
def capture() -> Iterator[tuple[logging.Logger, logging.StreamHandler[io.StringIO]]]:
    """A logger of its own with a handler writing to a string buffer."""
    logger = logging.getLogger("wirestream.test.logging")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = True


def lines(handler: logging.StreamHandler[io.StringIO]) -> list[str]:
    return handler.stream.getvalue().splitlines()


def test_json_has_the_standard_keys_and_the_context(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(JsonFormatter())
    logger.warning("dead-lettered %s", "a page", extra={**CONTEXT, "reason": "invalid JSON"})
    (line,) = lines(handler)
    entry = json.loads(line)
    assert entry["level"] == "warning"
    assert entry["logger"] == "wirestream.test.logging"
    assert entry["msg"] == "dead-lettered a page"
    assert entry["ts"].endswith("+00:00")
    assert {k: entry[k] for k in CONTEXT} == CONTEXT
    assert entry["reason"] == "invalid JSON"
    assert "exc" not in entry


def test_json_is_one_object_per_record_even_with_newlines(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(JsonFormatter())
    logger.info("first\nsecond line")
    logger.info("ünïcödé 地震", extra={"key": b"\xff raw"})
    first, second = (json.loads(line) for line in lines(handler))
    assert first["msg"] == "first\nsecond line"
    assert second["msg"] == "ünïcödé 地震"
    assert "raw" in second["key"]  # unserialisable values are written as text, not dropped


def test_json_has_no_internal_record_attributes(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(JsonFormatter())
    logger.info("plain")
    assert set(json.loads(lines(handler)[0])) == {"ts", "level", "logger", "msg"}


def test_json_puts_the_exception_under_exc(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(JsonFormatter())
    try:
        raise ValueError("broken input")
    except ValueError:
        logger.exception("stage failed", extra={"stage": "index"})
    (line,) = lines(handler)
    entry = json.loads(line)
    assert entry["level"] == "error"
    assert entry["stage"] == "index"
    assert "Traceback" in entry["exc"]
    assert "ValueError: broken input" in entry["exc"]


def test_console_shows_the_context_as_key_value(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(ConsoleFormatter())
    logger.warning("dead-lettered", extra=CONTEXT)
    (line,) = lines(handler)
    assert "WARNING" in line
    assert "wirestream.test.logging: dead-lettered" in line
    for key, value in CONTEXT.items():
        assert f"{key}={value}" in line


def test_console_without_context_has_no_brackets(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(ConsoleFormatter())
    logger.info("ready")
    (line,) = lines(handler)
    assert line.endswith("wirestream.test.logging: ready")


def test_console_appends_the_traceback(
    capture: tuple[logging.Logger, logging.StreamHandler[io.StringIO]],
) -> None:
    logger, handler = capture
    handler.setFormatter(ConsoleFormatter())
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.exception("failed")
    output = handler.stream.getvalue()
    assert "failed" in output.splitlines()[0]
    assert "RuntimeError: boom" in output


@pytest.fixture
def restore_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    quiet = {
        name: logging.getLogger(name).level for name in ("kafka", "aiokafka", "elastic_transport", "urllib3")
    }
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, old in quiet.items():
            logging.getLogger(name).setLevel(old)


@pytest.mark.parametrize(
    ("log_format", "formatter"), [("json", JsonFormatter), ("console", ConsoleFormatter)]
)
@pytest.mark.usefixtures("restore_root_logging")
def test_logging_config_is_accepted_by_dictconfig(
    log_format: str, formatter: type[logging.Formatter]
) -> None:
    logging.config.dictConfig(logging_config("debug", log_format))
    root = logging.getLogger()
    assert root.level == logging.DEBUG
    (handler,) = root.handlers
    assert isinstance(handler.formatter, formatter)
    assert logging.getLogger("kafka").level == logging.WARNING


def _record(
    msg: str, created: float, level: int = logging.ERROR, name: str = "kafka.client"
) -> logging.LogRecord:
    record = logging.makeLogRecord({"name": name, "levelno": level, "levelname": "X", "msg": msg, "args": ()})
    record.created = created
    return record


def test_a_repeated_error_is_one_line_per_interval_with_how_many_were_held_back() -> None:
    limit = RepeatLimit(seconds=10)
    flood = [_record("Unable connect to node with id %s", 100 + i / 1000) for i in range(5000)]  # 5 s
    passed = [r for r in flood if limit.filter(r)]
    assert len(passed) == 1 and not hasattr(passed[0], "repeated")
    later = _record("Unable connect to node with id %s", 111)
    assert limit.filter(later) and later.repeated == 4999
    assert limit.filter(_record("Unable to update metadata", 111.5))  # another message: its own line
    info = [_record("indexed %d stories", 112, logging.INFO) for _ in range(3)]
    assert all(limit.filter(r) for r in info)  # the worker's own progress lines are never held back


def test_the_repeat_limit_forgets_the_oldest_messages_beyond_its_bound() -> None:
    limit = RepeatLimit(seconds=10, max_keys=100)
    for i in range(1000):
        assert limit.filter(_record(f"formatted message {i}", 100))
    assert len(limit._seen) == 100


def test_the_worker_logging_config_holds_repeats_back() -> None:
    config = logging_config("INFO", "json", repeat_seconds=30)
    assert config["filters"]["repeats"]["seconds"] == 30
    assert config["handlers"]["default"]["filters"] == ["repeats"]
