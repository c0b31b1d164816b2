"""Base64 and hex tokens that decode to text, so that `QUtJQV...` is scanned as `AKIA...`."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

__all__ = ["decoded_tokens"]

# A token starts where a run of its alphabet starts (the lookbehind), so candidates never
# overlap and one pass over the text finds them all: linear time.
_TOKEN = re.compile(r"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{12,}={0,2}")
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
_MIN_PART = 12
_MAX_TOKEN = 1 << 16  # a longer blob is a file, not a value someone logged by mistake
_LAYOUT = str.maketrans("\t\n\r", "   ")


def _text(raw: bytes) -> str | None:
    """`raw` as text when it is UTF-8 that a person could read (not random key bytes)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.translate(_LAYOUT).isprintable() else None


def _decode(token: str) -> str | None:
    if _HEX.fullmatch(token):
        return _text(bytes.fromhex(token))
    padded = token.rstrip("=")
    if len(padded) % 4 == 1:
        return None
    padded += "=" * (-len(padded) % 4)
    try:
        if "-" in padded or "_" in padded:
            raw = base64.urlsafe_b64decode(padded)
        else:
            raw = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _text(raw)


def decoded_tokens(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, decoded text) for each base64 or hex token of `text` that decodes to
    readable text; a token that does not is tried again split at `/` (a path segment)."""
    for match in _TOKEN.finditer(text):
        token = match[0]
        if len(token) > _MAX_TOKEN:
            continue
        decoded = _decode(token)
        if decoded is not None:
            yield match.start(), match.end(), decoded
            continue
        offset = match.start()
        for part in token.split("/") if "/" in token else ():
            if len(part) >= _MIN_PART and (decoded := _decode(part)) is not None:
                yield offset, offset + len(part), decoded
            offset += len(part) + 1
