"""`logwarden topics create|check` against the real broker."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from redactors.policy import load_policy

pytestmark = pytest.mark.kafka


def logwarden(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams", *args], capture_output=True,
                          text=True, timeout=120, check=False)


async def alter(bootstrap: str, topic: str, configs: dict[str, str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, topic, configs)])
    finally:
        await admin.close()


def test_create_is_idempotent_and_check_names_each_drift(kafka_bootstrap, topic_prefix):
    common = ("--broker", f"kafka://{kafka_bootstrap}", "--topic-prefix", topic_prefix,
              "--app-id", f"{topic_prefix}app")
    first = logwarden("topics", "create", *common)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("created") == 12  # 9 + analytics.aggregates and the aggregator's two
    again = logwarden("topics", "create", *common)
    assert again.returncode == 0
    assert "created" not in again.stdout
    assert logwarden("topics", "check", *common).returncode == 0

    asyncio.run(alter(kafka_bootstrap, f"{topic_prefix}logs.deadletter",
                      {"retention.ms": "999", "cleanup.policy": "delete"}))
    drift = logwarden("topics", "check", *common)
    assert drift.returncode == 1
    days = load_policy().retention_days["deadletter"]  # the shipped policy's retention
    expected = (f"{topic_prefix}logs.deadletter: retention.ms is 999, "
                f"spec says {days * 86_400_000}")
    assert expected in drift.stderr
    wrong_count = logwarden("topics", "check", *common, "--partitions", "3")
    assert wrong_count.returncode == 1
    assert f"{topic_prefix}logs.raw: partitions is 4, spec says 3" in wrong_count.stderr


def test_unreachable_broker_is_one_clear_line():
    result = logwarden("topics", "check", "--broker", "kafka://127.0.0.1:1")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "cannot read topics from kafka://127.0.0.1:1" in result.stderr
