"""The broker fails under a running worker: a clean restart and a SIGKILL, mid-stream.

A broker of its own (deploy/kafka/kafka.sh on LOGWARDEN_FAULT_KAFKA_PORT, default 9592),
so that stopping it disturbs no other test. Invariants as in test_pipeline_delivery:
every input in exactly one outcome, nothing lost, no child event anywhere, no known PII
in analytics, no duplicate under exactly-once; and the worker stays up through the
outage and resumes on its own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.pipeline_kit import (
    EVENTS_FAULTS,
    PacedFeed,
    publish_consent,
    settle_accounting,
    setup_topics,
    wait_for_progress,
    worker_args,
    worker_env,
)
from tests.kafkit import REPO

pytestmark = pytest.mark.kafka

KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"
PORT = int(os.environ.get("LOGWARDEN_FAULT_KAFKA_PORT", "9592"))
BOOTSTRAP = f"127.0.0.1:{PORT}"


def kafka_sh(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAFKA_PORT": str(PORT)}
    return subprocess.run([str(KAFKA_SH), *args], env=env, text=True, capture_output=True,
                          timeout=180, check=False)


def broker_pid() -> int:
    home = Path(os.environ.get("LOGWARDEN_KAFKA_HOME",
                               Path.home() / ".cache" / "logwarden" / "kafka"))
    return int((home / f"run-{PORT}" / "broker.pid").read_text().strip())


@pytest.fixture(scope="module")
def fault_broker() -> Iterator[str]:
    started = kafka_sh("start")
    if started.returncode != 0:
        message = f"cannot start the fault-test broker on {PORT}: {started.stderr[-2000:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield BOOTSTRAP
    finally:
        kafka_sh("stop")


def restart_clean() -> None:
    assert kafka_sh("stop").returncode == 0
    time.sleep(5)
    restarted = kafka_sh("start")
    assert restarted.returncode == 0, restarted.stderr[-2000:]


def restart_after_sigkill() -> None:
    os.kill(broker_pid(), signal.SIGKILL)
    time.sleep(5)
    restarted = kafka_sh("start")
    assert restarted.returncode == 0, restarted.stderr[-2000:]


@pytest.mark.timeout(420)
@pytest.mark.parametrize("fault", [restart_clean, restart_after_sigkill],
                         ids=["clean_restart", "sigkill"])
@pytest.mark.parametrize("exactly_once", [False, True], ids=["at_least_once", "exactly_once"])
def test_the_worker_rides_out_a_broker_restart(fault_broker, topic_prefix, worker_factory,
                                               fault, exactly_once):
    asyncio.run(setup_topics(fault_broker, topic_prefix))
    asyncio.run(publish_consent(fault_broker, topic_prefix))
    extra = ("--exactly-once",) if exactly_once else ()
    worker = worker_factory("--broker", f"kafka://{fault_broker}",
                            *worker_args(topic_prefix, *extra), env=worker_env(),
                            name="through-outage")
    seqs = range(EVENTS_FAULTS)
    feed = PacedFeed(fault_broker, topic_prefix, seqs, per_second=500)
    asyncio.run(wait_for_progress(fault_broker, topic_prefix, at_least=EVENTS_FAULTS // 5,
                                  alive=worker.alive))
    fault()
    refs = feed.join(timeout=240)
    assert worker.alive(), worker.logs()[-3000:]
    counts, duplicates = settle_accounting(fault_broker, topic_prefix, refs, seqs)
    print(f"\nbroker {fault.__name__} ({'exactly' if exactly_once else 'at least'} once): "
          f"{counts}, duplicates={duplicates}")
    if exactly_once:
        assert duplicates == 0
    assert worker.alive()
