"""A fault injected between produce and commit, once: for the fault tests and the soak.

`LOGWARDEN_INJECT_FAULT=before-commit:N` makes the N-th delivery whose outputs were sent
raise `InjectedFault` before its input offsets are committed: under at-least-once before
the batch joins the acknowledged batches, under exactly-once before
`send_offsets_to_transaction` and the commit. The worker must then recover in-process
(Kafka Streams' `EosIntegrationTest.shouldNotViolateEosIfOneTaskFails` does the same).
Unset, the hook is a no-op.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from redactors.errors import LogwardenError

__all__ = ["FAULT_SPEC", "FaultInjector", "InjectedFault", "RecoveryIncomplete"]

log = logging.getLogger(__name__)

FAULT_SPEC = r"^before-commit:[1-9][0-9]*$"


class InjectedFault(LogwardenError):
    """Raised on purpose by `FaultInjector`; never by a healthy worker."""


class RecoveryIncomplete(LogwardenError):
    """A delivery's recovery was cut short (the broker is still away): recover again."""


@dataclass(slots=True)
class FaultInjector:
    """Raises once, on call number `at` (None: never)."""

    at: int | None = None
    calls: int = 0

    @classmethod
    def parse(cls, spec: str | None) -> FaultInjector:
        if spec is None:
            return cls()
        if not re.match(FAULT_SPEC, spec):
            raise LogwardenError(f"LOGWARDEN_INJECT_FAULT: {spec!r} is not before-commit:N")
        return cls(at=int(spec.split(":", 1)[1]))

    def __call__(self) -> None:
        if self.at is None:
            return
        self.calls += 1
        if self.calls == self.at:
            log.warning("fault injected between produce and commit (LOGWARDEN_INJECT_FAULT)")
            raise InjectedFault("injected between produce and commit")
