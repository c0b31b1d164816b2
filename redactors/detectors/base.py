"""What a detector is: a pattern, a prefilter hint, and a validate hook."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Detector", "Validator", "always"]

# (value, lowercased text just before the value) -> keep this candidate?
Validator = Callable[[str, str], bool]


def always(_value: str, _before: str) -> bool:
    """Accept every match: the pattern alone is specific enough."""
    return True


@dataclass(frozen=True, slots=True, kw_only=True)
class Detector:
    """One way of finding one entity in free text; mostly data."""

    name: str
    entity: str
    pattern: str  # Python `re` syntax; `group` names the span that is the value
    hint: str  # a cheap superset of `pattern`, for when hyperscan cannot take `pattern` itself
    score: float = 0.8
    group: int | str = 0
    ignore_case: bool = False
    validate: Validator = always
    context_window: int = 48  # how many characters before the value `validate` sees
    trim_groups: int = 0  # on rejection, retry without up to this many trailing groups
    prepare: Callable[[], object] | None = None  # loads data `validate` needs, at construction
    # An expensive `validate` runs at most this many times per text; later candidates are
    # accepted unchecked (fail closed: over-redact a hostile text rather than stall on it).
    max_validations: int | None = None
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 < self.score <= 1.0:
            raise ValueError(f"detector {self.name}: score must be in (0, 1]")
        if not self.entity.isupper():
            raise ValueError(f"detector {self.name}: entity names are UPPER_CASE")
        flags = re.IGNORECASE if self.ignore_case else 0
        try:
            compiled = re.compile(self.pattern, flags)
        except re.error as exc:
            raise ValueError(f"detector {self.name}: bad pattern: {exc}") from exc
        try:  # the `re` prefilter compiles hints as they are
            re.compile(self.hint)
        except re.error as exc:
            raise ValueError(f"detector {self.name}: bad hint: {exc}") from exc
        if isinstance(self.group, str) and self.group not in compiled.groupindex:
            raise ValueError(f"detector {self.name}: no group {self.group!r} in pattern")
        if isinstance(self.group, int) and self.group > compiled.groups:
            raise ValueError(f"detector {self.name}: no group {self.group} in pattern")
        if self.max_validations is not None and self.max_validations < 1:
            raise ValueError(f"detector {self.name}: max_validations must be positive")
        object.__setattr__(self, "regex", compiled)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The validated value spans of this detector in `text`."""
        found: list[tuple[int, int]] = []
        position = 0
        checks_left = self.max_validations  # None: no cap
        while (match := self.regex.search(text, position)) is not None:
            start, end = match.span(self.group)
            accepted = start
            if start >= 0 and start < end:
                if checks_left is not None and checks_left <= 0:
                    accepted = end  # the cap is spent: fail closed
                else:
                    before = text[max(0, start - self.context_window) : start].lower()
                    accepted, calls = self._accepted_end(text[start:end], before, start)
                    if checks_left is not None:
                        checks_left -= calls
            if accepted > start:
                found.append((start, accepted))
                position = accepted
            else:  # a rejected match may hide a valid one that starts inside it
                position = match.start() + 1
        return found

    def _accepted_end(self, value: str, before: str, start: int) -> tuple[int, int]:
        """Where the accepted value ends, trimming greedy trailing groups (`start` if none),
        and how many times `validate` ran."""
        for calls in range(1, self.trim_groups + 2):
            if self.validate(value, before):
                return start + len(value), calls
            cut = max(value.rfind(" "), value.rfind("-"), value.rfind("."))
            if cut <= 0:
                return start, calls
            value = value[:cut].rstrip(" -.")
        return start, self.trim_groups + 1
