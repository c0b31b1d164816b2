"""Where key material comes from: an environment variable, or a file it names."""

from __future__ import annotations

import base64
import binascii
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from redactors.errors import MissingKeyError

__all__ = ["key_text", "parse_key_lines"]


def key_text(env: Mapping[str, str], value_var: str, file_var: str,
             key_file: str | None = None) -> tuple[str, str] | None:
    """(text, source) from `key_file`, else $value_var, else the file in $file_var; None
    when none is set. The source names the variable or file for error messages, never the
    key."""
    if key_file is None and env.get(value_var):
        return env[value_var], f"${value_var}"
    path = key_file or env.get(file_var)
    if not path:
        return None
    try:
        mode = os.stat(path).st_mode
        text = Path(path).read_text(encoding="utf-8-sig")  # a BOM is not part of a key id
    except OSError as exc:
        raise MissingKeyError(f"{path}: cannot read key file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise MissingKeyError(f"{path}: key file is not UTF-8 text") from None
    if stat.S_ISREG(mode) and mode & 0o077:
        raise MissingKeyError(f"{path}: key file is open to group or others (mode "
                              f"{stat.S_IMODE(mode):04o}); chmod 600 it")
    return text, path


def parse_key_lines(text: str, source: str) -> list[tuple[str, bytes]]:
    """`kid:base64key` entries separated by commas or newlines (`#` comments), in order.
    Errors name the source and the key id, never the key."""
    keys: list[tuple[str, bytes]] = []
    for entry in text.replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep:
            raise MissingKeyError(f"{source}: entry {len(keys) + 1} is not 'kid:base64key'")
        if any(kid == seen for seen, _ in keys):  # which one would be meant?
            raise MissingKeyError(f"{source}: key id {kid!r} appears twice")
        try:
            keys.append((kid, base64.b64decode(encoded.strip(), validate=True)))
        except (binascii.Error, ValueError):
            raise MissingKeyError(f"{source}: key {kid!r} is not valid base64") from None
    return keys
