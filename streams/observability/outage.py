"""A broker outage as one state change: logged once when it starts and once when it ends."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["BrokerLink"]

log = logging.getLogger(__name__)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


class BrokerLink:
    """Whether the broker answers, from the outcome of each round trip (the lag sampler's):
    the first failure opens an outage, the first success after it closes it."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.down_since: float | None = None
        self.error: str | None = None  # the exception class that opened the outage
        self.last_outage_seconds: float | None = None
        self.last_restored: float | None = None
        self._up = Gauge("logwarden_broker_reachable",
                         "1 while the broker answers, 0 during an outage.", registry=registry)
        self._since = Gauge("logwarden_broker_unreachable_since_timestamp_seconds",
                            "When the current outage began; 0 while the broker answers.",
                            registry=registry)
        self._outages = Counter("logwarden_broker_outages", "Broker outages seen.",
                                registry=registry)
        self._up.set(1)

    @property
    def reachable(self) -> bool:
        return self.down_since is None

    def failed(self, error: str, now: float | None = None) -> None:
        if self.down_since is not None:
            return
        self.down_since = time.time() if now is None else now
        self.error = error
        self._up.set(0)
        self._since.set(self.down_since)
        self._outages.inc()
        log.warning("broker unreachable since %s (%s)", _iso(self.down_since), error,
                    extra={"broker_state": "unreachable", "error": error})

    def succeeded(self, now: float | None = None) -> None:
        if self.down_since is None:
            return
        now = time.time() if now is None else now
        seconds = max(0.0, now - self.down_since)
        self.last_outage_seconds, self.last_restored = seconds, now
        self.down_since = self.error = None
        self._up.set(1)
        self._since.set(0)
        log.warning("broker reachable again after %.0f s", seconds,
                    extra={"broker_state": "reachable", "outage_seconds": round(seconds, 1)})

    def as_dict(self) -> dict[str, object]:
        return {"reachable": self.reachable, "unreachable_since": self.down_since,
                "error": self.error, "last_outage_seconds": self.last_outage_seconds,
                "last_restored": self.last_restored}
