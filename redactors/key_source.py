"""Where key material comes from: an environment variable, or a file it names."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from redactors.errors import MissingKeyError

__all__ = ["key_text"]


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
        return Path(path).read_text(encoding="utf-8"), path
    except OSError as exc:
        raise MissingKeyError(f"{path}: cannot read key file ({exc.strerror})") from None
