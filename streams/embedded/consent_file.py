"""The `--consent` file: consent events, one JSON object per line, the last per subject wins."""

from __future__ import annotations

from redactors import codec
from redactors.consent import ConsentState
from redactors.errors import LogwardenError
from schemas.consent import ConsentEventError, consent_from_line

__all__ = ["ConsentFileError", "read_consent"]

_BOM = b"\xef\xbb\xbf"


class ConsentFileError(LogwardenError):
    """The consent file cannot be read, or a line of it is not a consent event."""


def read_consent(path: str) -> dict[str, ConsentState]:
    """Consent states by subject; errors name `file:line: field: reason`, never a value."""
    states: dict[str, ConsentState] = {}
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, errors reported per line
    except OSError as exc:
        raise ConsentFileError(f"{path}: cannot read consent file ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if number == 1 and line.startswith(_BOM):  # Windows tools open files with one
                line = line[len(_BOM):]
            if not line.strip():
                continue
            try:
                state = consent_from_line(codec.loads(line))
            except codec.DecodeError:
                raise ConsentFileError(f"{path}:{number}: not a JSON object") from None
            except ConsentEventError as exc:
                raise ConsentFileError(f"{path}:{number}: {exc.reason}") from None
            states[state.subject_id] = state
    return states
