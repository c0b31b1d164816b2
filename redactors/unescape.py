"""Undo URL, JSON and HTML escaping so that `a%40b.com` is scanned as `a@b.com`."""

from __future__ import annotations

import re

__all__ = ["Unescaped", "unescape"]

_ESCAPES = re.compile(
    r"(?P<pct>(?:%[0-9A-Fa-f]{2})+)"
    r"|\\u(?P<json>[0-9A-Fa-f]{4})"
    r"|&#(?:x(?P<hexent>[0-9A-Fa-f]{1,6})|(?P<decent>\d{1,7}));"
    r"|(?P<plus>(?<=[A-Za-z])\+(?=[A-Za-z]))"  # form-encoded space between words: `John+Smith`
)
_ROUNDS = 2  # `%2540` is `@` escaped twice; more layers than that are not seen in logs


class Unescaped:
    """An unescaped text and, per character, where it came from in the original."""

    __slots__ = ("origin", "text")

    def __init__(self, text: str, origin: list[int]) -> None:
        self.text = text
        self.origin = origin  # len(text) + 1 offsets into the original text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span that produced `text[start:end]`."""
        return self.origin[start], self.origin[end]


def _decode_percent_run(run: str, offset: int) -> tuple[list[str], list[int]]:
    """Decode `%XX%YY...` as UTF-8, one output char per code point, with source offsets."""
    raw = bytes(int(run[i + 1 : i + 3], 16) for i in range(0, len(run), 3))
    chars: list[str] = []
    starts: list[int] = []
    index = 0
    while index < len(raw):
        lead = raw[index]
        width = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        piece = raw[index : index + width].decode("utf-8", "replace")
        if len(piece) != 1:  # broken sequence: keep byte by byte
            piece, width = chr(lead), 1
        chars.append(piece)
        starts.append(offset + 3 * index)
        index += width
    return chars, starts


def _unescape_once(text: str, *, plus_is_space: bool) -> Unescaped | None:
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    for match in _ESCAPES.finditer(text):
        if match["plus"] and not plus_is_space:
            continue  # a `+` that an earlier round decoded from `%2B` is a real plus
        start, end = match.span()
        pieces.append(text[last:start])
        origin.extend(range(last, start))
        if match["pct"]:
            chars, starts = _decode_percent_run(match["pct"], start)
            pieces.extend(chars)
            origin.extend(starts)
        elif match["plus"]:
            pieces.append(" ")
            origin.append(start)
        else:
            code = match["json"] or match["hexent"]
            value = int(code, 16) if code else int(match["decent"] or "32")
            pieces.append(chr(value) if 0 < value < 0x110000 else "\ufffd")
            origin.append(start)
        last = end
    if not origin and last == 0:
        return None
    pieces.append(text[last:])
    origin.extend(range(last, len(text) + 1))
    return Unescaped("".join(pieces), origin)


def unescape(text: str) -> Unescaped | None:
    """The text with escapes undone (up to two layers), or None when it has none."""
    first = _unescape_once(text, plus_is_space=True)
    if first is None:
        return None
    second = _unescape_once(first.text, plus_is_space=False)
    if second is None:
        return first
    return Unescaped(second.text, [first.origin[i] for i in second.origin])
