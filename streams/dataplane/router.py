"""One raw record in, the Kafka records to send out: the data plane's only engine call."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from time import perf_counter
from typing import Protocol

from redactors.consent import ConsentState
from redactors.keys import KeyProvider
from redactors.kwindow import RiskWindow
from redactors.result import Outcome, RoutedResult
from streams.dataplane.tally import BatchTally
from streams.records import Route, SourceRef, TopicRecord, records_for

__all__ = ["ConsentSource", "ContributionSink", "RawEngine", "Router"]

log = logging.getLogger(__name__)


class RawEngine(Protocol):
    """The engine as the data plane sees it (redactors.engine.Engine)."""

    def route_raw(self, raw: bytes, consent_of: Callable[[str], ConsentState | None],
                  keys: KeyProvider | None = None) -> RoutedResult: ...


class ContributionSink(Protocol):
    """Collects aggregate contributions (streams.dataplane.contributions.ContributionTap)."""

    def __call__(self, result: RoutedResult, timestamp_ms: int | None) -> None: ...
    def take(self) -> TopicRecord | None: ...


class ConsentSource(Protocol):
    def get(self, subject_id: str) -> ConsentState | None: ...


def _deadletter(reason: str) -> RoutedResult:
    return RoutedResult(outcome=Outcome.DEADLETTER, reason=reason)


class Router:
    """Routes raw records. Fails closed: any error sends the original bytes to the
    dead-letter topic, never anything to analytics."""

    def __init__(self, *, engine: RawEngine, consent: ConsentSource,
                 is_suppressed: Callable[[str], bool], on_child: Callable[[str], None],
                 outputs: Mapping[Route, str], risk: RiskWindow | None = None,
                 subject_token: Callable[[str], str] | None = None,
                 tap: ContributionSink | None = None) -> None:
        """`risk` counts (and, with suppression on, generalizes) each analytics record's
        quasi-identifiers; `subject_token` is the keyed hash it holds instead of an id;
        `tap` collects aggregate contributions (when the policy declares metrics)."""
        self._engine = engine
        self._consent = consent
        self._is_suppressed = is_suppressed
        self._on_child = on_child
        self.outputs = dict(outputs)
        self._risk = risk
        self._token = subject_token
        self._tap = tap

    def consent_of(self, subject_id: str) -> ConsentState | None:
        """The subject's consent, marked erased while the subject is suppressed."""
        consent = self._consent.get(subject_id)
        if self._is_suppressed(subject_id):
            return dataclasses.replace(consent or ConsentState(subject_id=subject_id),
                                       erased=True)
        return consent

    def take_contributions(self) -> TopicRecord | None:
        """The contributions collected since the last call, as one record (or None)."""
        return self._tap.take() if self._tap is not None else None

    def result_for(self, raw: bytes | None, keys: KeyProvider) -> RoutedResult:
        if raw is None:
            return _deadletter("empty_value")
        try:
            result = self._engine.route_raw(raw, self.consent_of, keys)
        except Exception as exc:  # fail closed; the type names no value
            log.warning("engine failed on a record: %s", type(exc).__name__)
            return _deadletter(f"engine_error:{type(exc).__name__}")
        if (result.outcome is Outcome.DROPPED and result.reason == "child"
                and result.subject_id is not None):
            self._on_child(result.subject_id)
        if (self._risk is not None and result.outcome is Outcome.ANALYTICS
                and result.analytics is not None):
            return self._observe(result, self._risk)
        return result

    def _observe(self, result: RoutedResult, risk: RiskWindow) -> RoutedResult:
        subject = result.subject_id
        try:
            token = None if subject is None or self._token is None else self._token(subject)
            assert result.analytics is not None
            risk.observe(result.analytics, token)
        except Exception as exc:  # suppression may have been owed: never write it as is
            log.warning("risk window failed on a record: %s", type(exc).__name__)
            return _deadletter("risk_error")
        return result

    def records(self, raw: bytes | None, source: SourceRef, keys: KeyProvider,
                tally: BatchTally, timestamp_ms: int | None) -> list[TopicRecord]:
        """The records for one raw record, counted into `tally`."""
        started = perf_counter()
        result = self.result_for(raw, keys)
        try:
            records = records_for(result, raw if raw is not None else b"", source)
        except (ValueError, TypeError) as exc:
            log.warning("engine result not routable: %s", type(exc).__name__)
            result = _deadletter("unroutable_result")
            records = records_for(result, raw if raw is not None else b"", source)
        if self._tap is not None and result.outcome is Outcome.ANALYTICS:
            try:
                self._tap(result, timestamp_ms)
            except Exception as exc:  # a missed contribution only lowers a count
                log.warning("aggregate contribution failed: %s", type(exc).__name__)
        tally.events += 1
        tally.outcomes[str(result.outcome)] += 1
        if result.privacy is not None:
            tally.categories.update(result.privacy.categories)
        if result.outcome is Outcome.DEADLETTER:
            tally.deadletters[result.reason or "unknown"] += 1
        tally.seconds.append(perf_counter() - started)
        if timestamp_ms is not None:
            tally.timestamps.append(timestamp_ms / 1000.0)
        return records
