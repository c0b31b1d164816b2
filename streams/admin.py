"""Create topics from their specs and compare the live broker with them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams.security import PLAINTEXT, ClientSecurity
from streams.topics import TopicSpec

__all__ = ["Drift", "check_topics", "create_topics"]

_TOPIC_ALREADY_EXISTS = 36


@dataclass(frozen=True)
class Drift:
    """One difference between a topic's spec and the broker."""

    topic: str
    setting: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"{self.topic}: {self.setting} is {self.actual}, spec says {self.expected}"


async def _admin(bootstrap: str, security: ClientSecurity) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15000,
                                **security.aiokafka_kwargs())
    await admin.start()
    return admin


async def create_topics(bootstrap: str, specs: Sequence[TopicSpec], *,
                        security: ClientSecurity = PLAINTEXT) -> list[str]:
    """Create missing topics; returns the names created. Existing ones are left alone."""
    admin = await _admin(bootstrap, security)
    try:
        response = await admin.create_topics(
            [NewTopic(s.name, s.partitions, 1, topic_configs=dict(s.config)) for s in specs])
        created = []
        for name, code, *rest in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != _TOPIC_ALREADY_EXISTS:
                message = rest[0] if rest else ""
                raise RuntimeError(f"cannot create topic {name}: error {code} {message}")
        await _wait_for_leaders(admin, [s.name for s in specs])
        return created
    finally:
        await admin.close()


async def _wait_for_leaders(admin: AIOKafkaAdminClient, names: list[str],
                            timeout: float = 60.0) -> None:
    """Block until every partition has a leader: a client that starts while a fresh
    topic is leaderless can sit idle (faust's consumer did, silently) until its next
    metadata refresh, minutes later."""
    deadline = time.monotonic() + timeout
    while True:
        described = await admin.describe_topics(names)
        if all(t["error_code"] == 0 and t["partitions"]
               and all(p["error_code"] == 0 and p["leader"] >= 0 for p in t["partitions"])
               for t in described):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"topics still without a leader after {timeout:.0f} s")
        await asyncio.sleep(0.2)


async def check_topics(bootstrap: str, specs: Sequence[TopicSpec], *,
                       security: ClientSecurity = PLAINTEXT) -> list[Drift]:
    """Every difference in existence, partition count and spec'd config values."""
    admin = await _admin(bootstrap, security)
    try:
        described = await admin.describe_topics([s.name for s in specs])
        partitions = {t["topic"]: len(t["partitions"]) for t in described if t["error_code"] == 0}
        drifts = [Drift(s.name, "existence", "present", "missing")
                  for s in specs if s.name not in partitions]
        present = [s for s in specs if s.name in partitions]
        if not present:
            return drifts
        responses = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, s.name) for s in present])
        live: dict[str, dict[str, str]] = {}
        for response in responses:
            for _code, _msg, _type, name, entries in response.resources:
                live[name] = {entry[0]: str(entry[1]) for entry in entries}
        for s in present:
            if partitions[s.name] != s.partitions:
                drifts.append(Drift(s.name, "partitions", str(s.partitions),
                                    str(partitions[s.name])))
            for key, expected in s.config.items():
                actual = live.get(s.name, {}).get(key, "unset")
                if actual != expected:
                    drifts.append(Drift(s.name, key, expected, actual))
        return drifts
    finally:
        await admin.close()
