"""Readiness needs recovered tables and a topic check that found nothing wrong."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from streams.observability.health import Readiness


async def fine() -> Sequence[str]:
    return []


async def drifted() -> Sequence[str]:
    return ["logs.raw: retention.ms is 604800000, spec says 86400000"]


async def unreachable() -> Sequence[str]:
    raise ConnectionError("no broker at 127.0.0.1:1")


@pytest.mark.parametrize(("recovered", "check", "ready", "problems"), [
    (True, fine, True, []),
    (False, fine, False, []),
    (True, drifted, False, ["logs.raw: retention.ms is 604800000, spec says 86400000"]),
    (True, unreachable, False, ["topic check failed: ConnectionError"]),
])
async def test_readiness(recovered, check, ready, problems):
    readiness = Readiness(recovered=recovered)
    await readiness.check_topics(check)
    assert readiness.ready is ready
    assert readiness.as_dict()["problems"] == problems


def test_not_ready_before_any_check():
    assert not Readiness(recovered=True).ready


def test_a_broker_outage_is_not_ready_until_it_ends():
    readiness = Readiness(recovered=True)
    readiness.topics_checked = True
    readiness.broker_error = "broker unreachable: KafkaConnectionError"
    assert not readiness.ready
    assert readiness.as_dict()["broker_error"] == "broker unreachable: KafkaConnectionError"
    readiness.broker_error = None
    assert readiness.ready
