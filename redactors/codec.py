"""The one place that owns JSON encoding options (orjson)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["DecodeError", "dumps", "loads"]

DecodeError = orjson.JSONDecodeError

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    """Encode to compact UTF-8 JSON bytes."""
    return orjson.dumps(value, option=_OPTIONS)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Decode JSON; raises DecodeError on invalid JSON or invalid UTF-8."""
    return orjson.loads(data)
