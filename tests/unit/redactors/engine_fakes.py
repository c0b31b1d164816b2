"""Small stand-ins for the engine's collaborators (the real scanner has its own tests)."""

from __future__ import annotations

import re

from redactors.findings import Finding

__all__ = ["PatternScanner"]

_PATTERNS = [
    ("EMAIL_ADDRESS", re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),  # linear
    ("IP_ADDRESS", re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"
                              r"|\b[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{0,4}){2,7}\b")),
    ("CREDIT_CARD", re.compile(r"\b\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{4}\b")),
    ("PHONE_NUMBER", re.compile(r"\+?\d[\d ().-]{7,}\d")),
    ("JWT", re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")),
]


class PatternScanner:
    """A regex-only TextScanner: enough to exercise the engine's plumbing."""

    def __init__(self) -> None:
        self.calls = 0

    def find(self, text: str) -> list[Finding]:
        self.calls += 1
        found: list[Finding] = []
        for entity, pattern in _PATTERNS:
            for match in pattern.finditer(text):
                if not any(f.start < match.end() and match.start() < f.end for f in found):
                    found.append(Finding(match.start(), match.end(), entity, 1.0))
        return sorted(found, key=lambda f: f.start)

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        findings = self.find(text)
        out, last = [], 0
        for finding in findings:
            out.append(text[last:finding.start])
            out.append(f"<{finding.entity}>")
            last = finding.end
        out.append(text[last:])
        return "".join(out), frozenset(f.entity for f in findings)
