"""Clients outside Python: kcat (librdkafka's CLI, Debian package `kcat`) produces raw
events and consumes the analytics a worker made of them, on the real broker, with exactly
the commands the README shows."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.integration.pipeline_kit import names_for, setup_topics, worker_args, worker_env
from tests.kafkit import REPO

pytestmark = pytest.mark.kafka

SAMPLE = REPO / "deploy" / "sample" / "events.jsonl"


def kcat(*args: str, timeout: float = 60) -> str:
    binary = shutil.which("kcat")
    assert binary, "kcat is missing: run deploy/system-packages.sh"
    result = subprocess.run([binary, *args], capture_output=True, text=True,
                            timeout=timeout, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_kcat_produces_raw_and_consumes_analytics(kafka_bootstrap, topic_prefix,
                                                  worker_factory, tmp_path: Path):
    names = names_for(topic_prefix)
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    env = worker_env()
    worker_factory(*worker_args(topic_prefix), env=env)

    # README: one event per line of the file, each a message on logs.raw
    kcat("-P", "-b", kafka_bootstrap, "-t", names.raw, "-l", str(SAMPLE))

    # The embedded mode on the same file with the same keys says what analytics must hold.
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "streams", "redact", str(SAMPLE), "--out", str(out)],
                   env={**os.environ, **env}, check=True, capture_output=True, timeout=120)
    expected = [orjson.loads(line) for line in (out / "analytics.jsonl").read_bytes().splitlines()]
    assert expected

    # README: read analytics from the beginning, exit at the end (-e), one value a line
    deadline = time.monotonic() + 120
    while True:
        lines = kcat("-C", "-b", kafka_bootstrap, "-t", names.analytics, "-o", "beginning",
                     "-e", "-q", "-f", "%s\\n").splitlines()
        if len(lines) >= len(expected) or time.monotonic() > deadline:
            break
        time.sleep(1)
    got = [orjson.loads(line) for line in lines]
    key = orjson.OPT_SORT_KEYS
    assert sorted(orjson.dumps(r, option=key) for r in got) == sorted(
        orjson.dumps(r, option=key) for r in expected)
    text = "\n".join(lines)
    assert "ada.lovelace@example.com" not in text
    assert "203.0.113.45" not in text
