"""Values that look like identifiers: prefixed ids, UUIDs, ULIDs and long hex strings.

Used by the opt-in `unclassified.id_like_as` policy setting: such a value in a field that no
category names is treated as that category (for example pseudonymized as a user id).
"""

from __future__ import annotations

import re

__all__ = ["is_id_like"]

_ID_LIKE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"  # UUID
    r"|[0-9a-fA-F]{16,128}"  # long hex: hashes, trace-like ids
    r"|[0-9A-HJKMNP-TV-Z]{26}"  # ULID (Crockford base32)
    r"|[A-Za-z][A-Za-z0-9]{0,15}[_\-:][A-Za-z0-9]{4,64}"  # prefixed: cus_J4k2, usr-1001
)
_MAX = 128


def is_id_like(text: str) -> bool:
    """Whether the whole of `text` is an identifier-shaped token with a digit in it."""
    if len(text) > _MAX or _ID_LIKE.fullmatch(text) is None:
        return False
    return any(c.isdigit() for c in text)
