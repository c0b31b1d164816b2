"""JSON-lines worker logs that carry no event values."""

from __future__ import annotations

import logging
import re
import traceback
from datetime import UTC, datetime
from typing import Any

from redactors import codec

__all__ = ["JsonFormatter", "json_logging_config", "scrub"]

_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_OURS = ("streams", "redactors", "schemas")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IPV4 = re.compile(r"\b(?!127\.|0\.0\.0\.0\b)(?:\d{1,3}\.){3}\d{1,3}\b")
_IPV6 = re.compile(r"\b(?:[0-9a-fA-F]{1,4}:){3,7}[0-9a-fA-F]{1,4}\b")


def scrub(text: str) -> str:
    """Last line of defence: mask address-shaped values that slipped into a message."""
    text = _EMAIL.sub("<email>", text)
    text = _IPV4.sub("<ip>", text)
    return _IPV6.sub("<ip>", text)


def _message(record: logging.LogRecord) -> str:
    """Libraries log record keys and values at debug and info (aiokafka's "Sending
    (key=... value=...)", faust's "send: k=... v=..."): below WARNING, a library record
    keeps its template and loses its arguments."""
    ours = record.name.split(".", 1)[0] in _OURS
    if ours or record.levelno >= logging.WARNING or not record.args:
        return scrub(record.getMessage())
    return scrub(str(record.msg))


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Exceptions keep their type and where they were raised,
    never their message: third-party messages may quote the value that failed."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _message(record),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key.startswith("_"):
                continue
            if isinstance(value, bool | int | float):
                entry[key] = value
            elif isinstance(value, str):
                entry[key] = scrub(value)
        if record.exc_info and record.exc_info[0] is not None:
            exc_type, _exc, tb = record.exc_info
            entry["exc_type"] = exc_type.__name__
            frames = traceback.extract_tb(tb)
            entry["exc_where"] = [f"{f.filename}:{f.lineno}:{f.name}" for f in frames[-5:]]
        return codec.dumps(entry).decode()

    def formatException(self, ei: Any) -> str:
        return ""  # never render a traceback with its message


def json_logging_config(collapse: logging.Filter | None = None) -> dict[str, Any]:
    """A dictConfig that mode/faust merge into theirs: same root level, JSON to stdout.
    `collapse` (a RepeatCollapser) filters every record the handler writes, ours and the
    libraries'."""
    handler: dict[str, Any] = {"class": "logging.StreamHandler", "formatter": "json",
                               "stream": "ext://sys.stdout"}
    config: dict[str, Any] = {
        "merge": True,
        "version": 1,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"default": handler},
    }
    if collapse is not None:
        config["filters"] = {"collapse": {"()": lambda: collapse}}
        handler["filters"] = ["collapse"]
    return config
