"""Readiness: tables recovered and the required topics checked on the broker."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient

from streams.admin import check_topics
from streams.security import PLAINTEXT, ClientSecurity
from streams.topics import TopicSpec

__all__ = ["Readiness", "TopicCheck", "missing_topics", "spec_check"]

TopicCheck = Callable[[], Awaitable[Sequence[str]]]  # returns problems; empty when fine


@dataclass
class Readiness:
    """What /readyz reports; ready only when tables recovered, topics checked and the
    broker answered the last lag sample."""

    recovered: bool = False
    topics_checked: bool = False
    problems: list[str] = field(default_factory=list)
    checked_at: float | None = None
    broker_error: str | None = None  # the last broker round trip failed: an outage
    broker_unreachable_since: float | None = None  # when the current outage began

    @property
    def ready(self) -> bool:
        return (self.recovered and self.topics_checked and not self.problems
                and self.broker_error is None)

    async def check_topics(self, check: TopicCheck) -> None:
        try:
            problems = [str(p) for p in await check()]
        except Exception as exc:  # an unreachable broker is a reason, not a crash
            problems = [f"topic check failed: {type(exc).__name__}"]
        self.problems, self.topics_checked = problems, True
        self.checked_at = time.time()

    def as_dict(self) -> dict[str, object]:
        return {"ready": self.ready, "tables_recovered": self.recovered,
                "topics_checked": self.topics_checked, "problems": self.problems,
                "checked_at": self.checked_at, "broker_error": self.broker_error,
                "broker_unreachable_since": self.broker_unreachable_since}


async def missing_topics(bootstrap: str, names: Sequence[str], *,
                         security: ClientSecurity = PLAINTEXT) -> list[str]:
    """The default topic check: every required topic exists on the broker. It lists all
    topics: asking for named ones would let a broker with auto-create make them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="logwarden-ready",
                                **security.aiokafka_kwargs())
    await admin.start()
    try:
        present = set(await admin.list_topics())
    finally:
        await admin.close()
    return [f"{name}: missing" for name in names if name not in present]


async def spec_check(bootstrap: str, specs: Sequence[TopicSpec], *,
                     security: ClientSecurity = PLAINTEXT) -> list[str]:
    """`logwarden topics check`'s comparison, after an existence check that cannot make
    a missing topic appear (the comparison describes topics by name)."""
    missing = await missing_topics(bootstrap, [spec.name for spec in specs], security=security)
    return missing or [str(drift) for drift in await check_topics(bootstrap, specs,
                                                                  security=security)]
