"""The free-text scanner: prefilter, detectors on candidates, unescaping, overlaps, cache."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from redactors.detectors import DetectorRegistry, default_registry
from redactors.detectors.base import Detector
from redactors.encoded import decoded_tokens
from redactors.findings import Finding
from redactors.ner import NameRecognizer
from redactors.normalize import fold
from redactors.prefilter import Prefilter
from redactors.unescape import Unescaped, unescape

__all__ = ["FreeTextScanner"]

_MIN_LENGTH = 6  # nothing we detect is shorter than `a@b.co` or `::1` plus context
_CACHE_MAX_TEXT = 2048  # longer texts are rarely repeated; caching them only costs memory
_ESCAPED = re.compile(r"%[0-9A-Fa-f]{2}|\\u[0-9A-Fa-f]{4}|&#|[A-Za-z]\+[A-Za-z]")

_Span = tuple[int, int, str, float]


class FreeTextScanner:
    """Finds personal data in free text; implements `redactors.findings.TextScanner`.

    `entities` limits the scan (default: every registered entity). `ner=True` adds a
    spaCy NER pass for PERSON when an English spaCy pipeline is installed; without one
    it warns once and keeps to the context rules (official spaCy models are not on
    PyPI, so NER is off by default and nothing is ever downloaded).
    """

    def __init__(
        self,
        entities: Iterable[str] | None = None,
        *,
        ner: bool = False,
        registry: DetectorRegistry | None = None,
        cache_size: int = 16384,
        use_hyperscan: bool = True,
    ) -> None:
        registry = registry if registry is not None else default_registry()
        wanted = frozenset(entities) if entities is not None else registry.entities
        unknown = wanted - registry.entities - ({"PERSON"} if ner else set())
        if unknown:
            raise ValueError(f"no detector for entities: {', '.join(sorted(unknown))}")
        self.entities = wanted
        self._detectors: tuple[Detector, ...] = tuple(registry.get(wanted))
        for detector in self._detectors:
            if detector.prepare is not None:
                detector.prepare()  # load word lists now, not inside the first event
        self._prefilter = Prefilter(self._detectors, use_hyperscan=use_hyperscan)
        self._names = NameRecognizer() if ner and "PERSON" in wanted else None
        self._cached_scan = lru_cache(maxsize=cache_size)(self._scan)

    @property
    def ner_model(self) -> str | None:
        """The spaCy pipeline the NER stage runs, or None (not asked for, or not installed)."""
        return self._names.model if self._names is not None else None

    def find(self, text: str) -> list[Finding]:
        """Non-overlapping findings, sorted by start."""
        if len(text) < _MIN_LENGTH:
            return []
        if len(text) > _CACHE_MAX_TEXT:
            return list(self._scan(text))
        return list(self._cached_scan(text))

    def redact(self, text: str) -> tuple[str, frozenset[str]]:
        """The text with each finding replaced by `<ENTITY>`, and the entities found."""
        findings = self.find(text)
        if not findings:
            return text, frozenset()
        parts: list[str] = []
        last = 0
        for finding in findings:
            parts.append(text[last : finding.start])
            parts.append(f"<{finding.entity}>")
            last = finding.end
        parts.append(text[last:])
        return "".join(parts), frozenset(f.entity for f in findings)

    def _scan(self, text: str) -> tuple[Finding, ...]:
        spans = self._detect(text)
        decoded = unescape(text) if _ESCAPED.search(text) else None
        if decoded is not None:
            for start, end, entity, score in self._detect(decoded.text):
                spans.append((*decoded.span(start, end), entity, score))
        spans.extend(self._detect_folded(text, decoded))
        spans.extend(self._encoded(text))
        if self._names is not None:
            spans.extend((s, e, "PERSON", score) for s, e, score in self._names.find(text))
        return _resolve(spans) if spans else ()

    def _encoded(self, text: str) -> Iterator[_Span]:
        """A base64 or hex token whose decoded text holds a finding is that finding, whole."""
        for start, end, decoded in decoded_tokens(text):
            found = self._detect(decoded)
            if found:
                _, _, entity, score = max(found, key=lambda span: span[3])
                yield start, end, entity, score

    def _detect_folded(self, text: str, decoded: Unescaped | None) -> list[_Span]:
        """Spans found once invisible characters are gone and look-alikes folded (NFKC),
        in the text as written and in its unescaped form, mapped back to the original."""
        spans: list[_Span] = []
        folded = fold(text)
        if folded is not None:
            for start, end, entity, score in self._detect(folded.text):
                spans.append((*folded.span(start, end), entity, score))
        folded = fold(decoded.text) if decoded is not None else None
        if decoded is not None and folded is not None:
            for start, end, entity, score in self._detect(folded.text):
                inner_start, inner_end = folded.span(start, end)
                spans.append((*decoded.span(inner_start, inner_end), entity, score))
        return spans

    def _detect(self, text: str) -> list[_Span]:
        spans: list[_Span] = []
        for index in self._prefilter.candidates(text):
            detector = self._detectors[index]
            for start, end in detector.spans(text):
                spans.append((start, end, detector.entity, detector.score))
        return spans


def _resolve(spans: list[_Span]) -> tuple[Finding, ...]:
    """Merge overlapping spans into one finding named after the most confident of them."""
    spans.sort(key=lambda s: (s[0], -s[1]))
    findings: list[Finding] = []
    start, end, entity, score = spans[0]
    best_length = end - start
    for s_start, s_end, s_entity, s_score in spans[1:]:
        if s_start < end:  # overlaps the current cluster: widen it, keep the best label
            length = s_end - s_start
            if s_score > score or (s_score == score and length > best_length):
                entity, score, best_length = s_entity, s_score, length
            end = max(end, s_end)
            continue
        findings.append(Finding(start, end, entity, score))
        start, end, entity, score = s_start, s_end, s_entity, s_score
        best_length = end - start
    findings.append(Finding(start, end, entity, score))
    return tuple(findings)
