"""Topic names, in one place, with the configurable prefix."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TopicNames"]


@dataclass(frozen=True, kw_only=True)
class TopicNames:
    """Every topic logwarden reads or writes, derived from one prefix."""

    prefix: str = ""

    def _name(self, base: str) -> str:
        return f"{self.prefix}{base}"

    @property
    def raw(self) -> str:
        return self._name("logs.raw")

    @property
    def analytics(self) -> str:
        return self._name("logs.analytics")

    @property
    def identifiable(self) -> str:
        return self._name("logs.identifiable")

    @property
    def deadletter(self) -> str:
        return self._name("logs.deadletter")

    @property
    def consent(self) -> str:
        return self._name("privacy.consent")

    @property
    def requests(self) -> str:
        return self._name("privacy.requests")

    @property
    def receipts(self) -> str:
        return self._name("privacy.receipts")
