"""Field names as word tokens: `userPW`, `user_pw` and `X-User-Pw` all read `user pw`.

A category's `name_tokens` rules match those tokens, so one rule covers the camelCase,
snake_case, kebab-case and dotted spellings of a name that a regex would list one by one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TokenRule", "first_match", "name_tokens"]

_MAX_NAME = 256  # names are attacker-controlled; a real field name is far shorter
# An upper-case run not followed by lower case (`ID` in `userID`), a capitalised or
# lower-case word, or a digit run; everything else separates.
_TOKEN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_RULE = re.compile(r"\^?[a-z0-9]+(?: [a-z0-9]+)*\$?")


def name_tokens(name: str) -> tuple[str, ...]:
    """The lower-cased word tokens of a field name."""
    return tuple(t.lower() for t in _TOKEN.findall(name[:_MAX_NAME]))


class TokenRule:
    """A token sequence that must occur in a name: `"pw"`, `"birth date"`, `"^age$"`.

    `^` anchors the sequence at the name's first token, `$` at its last; without
    anchors it may occur anywhere (`"pass"` matches `user_pass` and `passHint`).
    """

    __slots__ = ("at_end", "at_start", "text", "words")

    def __init__(self, text: str) -> None:
        self.text = text
        body = text.strip()
        self.at_start = body.startswith("^")
        self.at_end = body.endswith("$")
        if _RULE.fullmatch(body) is None:
            raise ValueError("a name-token rule is lower-case words, optionally ^ and $")
        # Tokenized like names are: the rule `ipv4` is the tokens `ipv 4`.
        self.words = tuple(t for word in body.strip("^$").split() for t in name_tokens(word))

    def matches(self, tokens: tuple[str, ...]) -> bool:
        """Whether the rule's words occur, in order and adjacent, in `tokens`."""
        size = len(self.words)
        last = len(tokens) - size
        if last < 0:
            return False
        if self.at_start and self.at_end:
            return tokens == self.words
        if self.at_start:
            return tokens[:size] == self.words
        if self.at_end:
            return tokens[last:] == self.words
        return any(tokens[at : at + size] == self.words for at in range(last + 1))


def first_match(windows: tuple[tuple[str, ...], ...],
                rules: Iterable[tuple[TokenRule, str]]) -> str | None:
    """The key paired with the first rule that matches any of the token `windows`."""
    for rule, key in rules:
        if any(rule.matches(tokens) for tokens in windows):
            return key
    return None
