"""Raw bytes to an event: a JSON object or a plain text line; bad input gets a reason code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from redactors import codec
from redactors.textlog import parse_text_line

__all__ = ["BadInput", "ParsedEvent", "has_duplicate_keys", "parse_event", "shape_of"]

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


class ParsedEvent:
    """One decoded event. Plain text lines (`text=True`) become the fields of their log
    layout (access log, syslog) or `{"message": line}`.

    `key_marks` counts `"` + `:` in the JSON text without its blanks (JSON's whitespace):
    every key ends so, whatever the spacing. It is at least the number of keys, so a walk
    that counts fewer keys than that must check `body` for duplicate keys.
    (A plain slotted class: built once per event, a frozen dataclass costs too much.)
    """

    __slots__ = ("body", "event", "key_marks", "size", "text")

    def __init__(self, event: dict[str, Any], text: bool = False, size: int = 0,
                 key_marks: int = -1, body: bytes = b"") -> None:
        self.event = event
        self.text = text
        self.size = size
        self.key_marks = key_marks
        self.body = body

    def __repr__(self) -> str:  # never print the event: it holds personal data
        return f"ParsedEvent(text={self.text}, size={self.size})"


@dataclass(frozen=True, slots=True)
class BadInput:
    """Why an input cannot be an event: a fixed reason code, never a value."""

    reason: str


def shape_of(value: Any, max_depth: int) -> tuple[int, int]:
    """(number of object keys, deepest nesting), stopping early past max_depth."""
    keys = 0
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                break
        if isinstance(node, dict):
            keys += len(node)
            stack.extend((child, depth + 1) for child in node.values()
                         if isinstance(child, dict | list))
        else:
            stack.extend((child, depth + 1) for child in node if isinstance(child, dict | list))
    return keys, deepest


def parse_event(raw: bytes | bytearray | memoryview | str, *,
                max_bytes: int) -> ParsedEvent | BadInput:
    """Decode one input. Objects are events; other JSON is refused; anything else is text.

    Depth and duplicate keys are checked by the walk that treats the event (one pass).
    """
    data = _as_bytes(raw)
    if isinstance(data, BadInput):
        return data
    if len(data) > max_bytes:
        return BadInput("too_large")
    body = data.strip(_BLANK)
    if body.startswith(_BOM):  # a byte-order mark opens files from some Windows tools
        body = body[3:].lstrip(_BLANK)
    if not body:
        return BadInput("empty")
    if body[:1] == b"{":
        return _json_object(body, len(data))
    return _text_event(body, len(data))


def _as_bytes(raw: bytes | bytearray | memoryview | str) -> bytes | BadInput:
    if isinstance(raw, str):
        try:
            return raw.encode("utf-8")
        except UnicodeEncodeError:
            return BadInput("invalid_utf8")
    return raw if isinstance(raw, bytes) else bytes(raw)


def _json_object(body: bytes, size: int) -> ParsedEvent | BadInput:
    """A body that opens with `{`: a JSON object, or a bad input."""
    try:
        event = codec.loads(body)
    except codec.DecodeError:
        return BadInput("invalid_utf8" if not _is_utf8(body) else "invalid_json")
    if not isinstance(event, dict):
        return BadInput("not_object")
    marks = body.translate(None, _BLANK).count(b'":')
    return ParsedEvent(event, False, size, marks, body)


def _text_event(body: bytes, size: int) -> ParsedEvent | BadInput:
    """Any other body: JSON that is not an object is refused; the rest is a text line."""
    if not _is_utf8(body):
        return BadInput("invalid_utf8")
    if body[:1] in b'["0123456789-tfn':
        try:
            codec.loads(body)
        except codec.DecodeError as exc:
            if "depth" in str(exc):  # JSON nested past the decoder's limit, not text
                return BadInput("too_deep")
            # otherwise text that only looks like JSON at first: a plain line
        else:
            return BadInput("not_object")
    text = body.decode("utf-8")
    if "\x00" in text:
        return BadInput("binary")
    return ParsedEvent(parse_text_line(text) or {"message": text}, text=True, size=size)


def has_duplicate_keys(parsed: ParsedEvent, keys_seen: int) -> bool:
    """Whether the JSON text repeats a key; `keys_seen` is the walk's count of keys."""
    if parsed.key_marks < 0 or parsed.key_marks == keys_seen:
        return False
    # A value that opens with a colon (`"ip":"::1"`) makes `":` of `":":` count twice; at
    # most one of the two can end a key, so this stays an upper bound on the keys.
    if parsed.key_marks - parsed.body.translate(None, _BLANK).count(b'":":') == keys_seen:
        return False
    return codec.repeats_a_key(parsed.body)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
