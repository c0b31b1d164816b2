"""The one place that owns JSON encoding options (orjson)."""

from __future__ import annotations

import json
from typing import Any

import orjson

__all__ = ["DecodeError", "dumps", "loads", "pretty", "repeats_a_key", "show"]

DecodeError = orjson.JSONDecodeError

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> bytes:
    """Encode to compact UTF-8 JSON bytes."""
    return orjson.dumps(value, option=_OPTIONS)


def loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Decode JSON; raises DecodeError on invalid JSON or invalid UTF-8."""
    return orjson.loads(data)


def show(value: Any) -> str:
    """JSON text for a human-read message (stdlib spacing, non-ASCII escaped)."""
    return json.dumps(value)


def pretty(value: Any) -> str:
    """JSON text for a file people read and diff: two-space indent, UTF-8 kept."""
    return json.dumps(value, indent=2, ensure_ascii=False)


class _RepeatedKeyError(ValueError):
    pass


def _reject_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _RepeatedKeyError
    return out


def repeats_a_key(data: bytes | str) -> bool:
    """Whether an object in the JSON text repeats a key; stdlib json reads pairs, orjson cannot.

    Text that orjson accepted but stdlib json rejects counts as repeating: suspect either way.
    """
    try:
        json.loads(data, object_pairs_hook=_reject_repeats)
    except _RepeatedKeyError:
        return True
    except (ValueError, RecursionError):
        return True
    return False
