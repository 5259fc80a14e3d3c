"""Structured logs.

Off a terminal every record is one JSON object; on a terminal, a readable line. Pass context with
``extra=``: ``log.warning("dead-lettered", extra={"stage": "split", "topic": t, "partition": p,
"offset": o, "reason": r})`` - the fields appear as JSON keys (and as ``key=value`` on a terminal).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

#: Context fields every stage uses; they are carried as JSON keys.
CONTEXT_FIELDS = ("stage", "topic", "partition", "offset", "key", "reason", "error_type", "count", "repeated")
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


def _context(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_context(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ctx = " ".join(f"{k}={v}" for k, v in _context(record).items())
        clock = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        line = f"{clock} {record.levelname:<7} {record.name}: "
        line += record.getMessage() + (f"  [{ctx}]" if ctx else "")
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class RepeatLimit(logging.Filter):
    """One line per interval for a warning or error that repeats (a dependency that is down makes its
    client log the same failure thousands of times a second): the first passes, the next ones within
    ``seconds`` are counted, and the first after the interval carries ``repeated`` = how many were
    held back. Keyed by logger and message template; at most ``max_keys`` keys (oldest forgotten)."""

    def __init__(self, seconds: float = 10.0, max_keys: int = 1000) -> None:
        super().__init__()
        self.seconds = seconds
        self.max_keys = max_keys
        self._seen: dict[tuple[str, int, str], list[float]] = {}  # key -> [last printed at, held back]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or self.seconds <= 0:
            return True
        key = (record.name, record.levelno, str(record.msg))
        state = self._seen.get(key)
        if state is not None and record.created - state[0] < self.seconds:
            state[1] += 1
            return False
        if state is not None and state[1]:
            record.repeated = int(state[1])
        self._seen.pop(key, None)
        self._seen[key] = [record.created, 0]
        if len(self._seen) > self.max_keys:
            del self._seen[next(iter(self._seen))]
        return True


def wants_json(log_format: str) -> bool:
    return log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())


def configure(level: str = "INFO", log_format: str = "auto", repeat_seconds: float = 10.0) -> None:
    """Install the one handler on the root logger (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if wants_json(log_format) else ConsoleFormatter())
    handler.addFilter(RepeatLimit(repeat_seconds))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "aiokafka", "elastic_transport", "urllib3"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def logging_config(
    level: str = "INFO", log_format: str = "auto", repeat_seconds: float = 10.0
) -> dict[str, Any]:
    """The same setup as :func:`configure`, as a dictConfig (faust's worker installs it)."""
    formatter = "json" if wants_json(log_format) else "console"
    quiet = {name: {"level": "WARNING"} for name in ("kafka", "aiokafka", "elastic_transport", "urllib3")}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": f"{__name__}.JsonFormatter"},
            "console": {"()": f"{__name__}.ConsoleFormatter"},
        },
        "filters": {"repeats": {"()": f"{__name__}.RepeatLimit", "seconds": repeat_seconds}},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["repeats"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level.upper(), "handlers": ["default"]},
        "loggers": quiet,
    }
