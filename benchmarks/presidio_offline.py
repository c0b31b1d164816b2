"""Presidio's default recognizers on a blank spaCy pipeline, with nothing downloaded."""

from __future__ import annotations

from typing import Any

__all__ = ["model_analyzer", "offline_analyzer"]


def offline_analyzer() -> Any:
    """An AnalyzerEngine with every predefined recognizer but no NER model (none installable)."""
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # Presidio's email recognizer calls tldextract.extract, which fetches the suffix list.
    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline  # type: ignore[assignment]  # same call signature

    class BlankSpacyNlpEngine(SpacyNlpEngine):
        """The regex-only recipe from presidio#851: tokenizer only, no model to load."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])
            self.nlp = {"en": spacy.blank("en")}  # type: ignore[assignment]  # None until load

        def load(self) -> None:
            return None

    engine = BlankSpacyNlpEngine()
    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(nlp_engine=engine)
    registry.remove_recognizer("SpacyRecognizer")  # it would only report an empty NER
    return AnalyzerEngine(nlp_engine=engine, registry=registry, supported_languages=["en"])


def model_analyzer(model: str) -> Any:
    """Presidio's defaults with an installed spaCy pipeline (NER included), offline."""
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    offline = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    tldextract.extract = offline  # type: ignore[assignment]  # same call signature
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
