r"""Fold a text to what a reader sees: NFKC, invisible and control characters removed.

`alice\u200b@example.com`, `a\x00lice@example.com` and the same in fullwidth forms
(`\uff20` for `@`, `\uff11` for `1`) all read `alice@example.com`. The detectors see
that; each folded character remembers where it came from, so that the original span is
what gets redacted.
"""

from __future__ import annotations

import re
import unicodedata

from redactors.unescape import Unescaped

__all__ = ["fold"]

# Characters that may need folding; a text without any is left alone (the common case).
_SUSPECT = re.compile(r"[^\t\n\r\x20-\x7e]")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, format (ZWSP, ...), surrogates
# The same characters as a class (Unicode 15 Cc and Cf), to skip texts that need nothing.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891"
    "\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]")
_KEEP = frozenset("\t\n\r")


def fold(text: str) -> Unescaped | None:
    """The folded text with per-character origins, or None when folding changes nothing."""
    if _SUSPECT.search(text) is None:
        return None
    if unicodedata.is_normalized("NFKC", text) and _INVISIBLE.search(text) is None:
        return None  # `josé`, `東京`: nothing to fold, and no per-character work
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    changed = False
    for match in _SUSPECT.finditer(text):
        at = match.start()
        pieces.append(text[last:at])  # printable ASCII: NFKC leaves it as it is
        origin.extend(range(last, at))
        last = at + 1
        char = text[at]
        if char in _KEEP:
            pieces.append(char)
            origin.append(at)
            continue
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES:
            changed = True
            continue
        folded = unicodedata.normalize("NFKC", char)
        changed = changed or folded != char
        pieces.append(folded)
        origin.extend(at for _ in folded)
    if not changed:
        return None
    pieces.append(text[last:])
    origin.extend(range(last, len(text) + 1))
    return Unescaped("".join(pieces), origin)
