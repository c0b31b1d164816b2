"""Field paths: dotted patterns with wildcards, matched against the shape of an event."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["ITEM", "PathPattern", "get_path", "shape_key"]

ITEM = "[]"  # the segment an array element contributes to a path
_SEP = "\x1f"  # cannot occur in a parsed key we match on (unit separator)


class PathPattern:
    """A pattern such as `geo.lat`, `**.ip`, `items[].email` or `items.*.email`.

    `*` matches one segment (a key or an array element), `**` zero or more segments.
    """

    __slots__ = ("_regex", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        segments = text.replace("[*]", "." + ITEM).replace("[]", "." + ITEM).split(".")
        if any(not segment for segment in segments):
            raise ValueError("empty segment in path pattern")
        parts: list[str] = []
        for segment in segments:
            if segment == "**":
                parts.append(f"(?:[^{_SEP}]*{_SEP})*")
            elif segment == "*":
                parts.append(f"[^{_SEP}]*{_SEP}")
            else:
                parts.append(re.escape(segment) + _SEP)
        self._regex = re.compile("".join(parts))

    def matches(self, shape: tuple[str, ...]) -> bool:
        """Whether the pattern matches the whole path `shape`."""
        return self._regex.fullmatch(shape_key(shape)) is not None


def shape_key(shape: tuple[str, ...]) -> str:
    """The joined form patterns are matched against."""
    return "".join(segment + _SEP for segment in shape)


def get_path(event: Mapping[str, Any], dotted: str) -> Any:
    """The value at a plain dotted path (no wildcards), or None; a literal dotted key wins."""
    if dotted in event:
        return event[dotted]
    node: Any = event
    for key in dotted.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
        if node is None:
            return None
    return node
