"""The engine as the pipeline sees it: the three calls the ingest agent makes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from redactors.consent import ConsentState
from redactors.keys import KeyProvider
from redactors.result import RoutedResult

__all__ = ["PipelineEngine", "load_pipeline_engine"]


class PipelineEngine(Protocol):
    policy: Any

    def parse(self, raw: bytes) -> Any: ...

    def subject_of(self, parsed: Any) -> str | None: ...

    def route(self, parsed: Any, consent: ConsentState | None) -> RoutedResult: ...


def load_pipeline_engine(policy_path: str | None, keys: KeyProvider,
                         env: Mapping[str, str]) -> PipelineEngine:
    """redactors.engine.load_engine; raises LogwardenError on a bad policy or missing keys."""
    from redactors.engine import load_engine

    engine: PipelineEngine = load_engine(policy_path, keys, env)
    return engine
