"""logwarden's exception root and its subclasses; messages name file, path and reason."""

from __future__ import annotations

__all__ = [
    "EventError",
    "LogwardenError",
    "MissingKeyError",
    "PolicyError",
    "PolicyProblem",
    "TransformError",
]

from dataclasses import dataclass


class LogwardenError(Exception):
    """Root of every error logwarden raises on purpose."""


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    """One thing wrong with a policy file: where (file, JSON path, line) and what."""

    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '$'}: {self.message}"


class PolicyError(LogwardenError):
    """A policy file that cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = problems
        first = str(problems[0]) if problems else "invalid policy"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)


class MissingKeyError(LogwardenError):
    """A pseudonym or encryption key that the configuration requires is absent or malformed."""


class EventError(LogwardenError):
    """An event the engine must not route to analytics; `reason` is a fixed code."""

    def __init__(self, reason: str, path: str = "") -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path or '$'}: {reason}")


class TransformError(EventError):
    """A transform met a value it cannot handle (wrong type or malformed)."""
