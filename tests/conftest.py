"""Shared fixtures: the real broker, unique names per test, worker subprocesses."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError

from tests.kafkit import REPO, RUN_PREFIX, WorkerProcess, delete_topics_starting, unique_prefix

sys.path.insert(0, str(REPO / "deploy" / "kafka"))
from probe import broker_count


def _bootstrap() -> str:
    default = f"127.0.0.1:{os.environ.get('KAFKA_PORT', '9092')}"
    return os.environ.get("LOGWARDEN_TEST_BOOTSTRAP", default)


@pytest.fixture(scope="session")
def kafka_bootstrap(_delete_run_topics: None) -> str:
    """host:port of the real broker; fails loudly under CI when it is missing."""
    bootstrap = _bootstrap()
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    try:
        ok = broker_count(host, int(port)) > 0
    except OSError:
        ok = False
    if not ok:
        message = f"no Kafka broker answers on {bootstrap}; run deploy/kafka/kafka.sh start"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return bootstrap


@pytest.fixture(scope="session")
def _delete_run_topics() -> Iterator[None]:
    """After a run that used the broker, delete the topics it created (all named from
    RUN_PREFIX); LOGWARDEN_TEST_KEEP_TOPICS=1 keeps them for a look."""
    yield
    if os.environ.get("LOGWARDEN_TEST_KEEP_TOPICS"):
        return
    try:
        deleted = asyncio.run(asyncio.wait_for(
            delete_topics_starting(_bootstrap(), RUN_PREFIX), timeout=120))
    except (OSError, KafkaError) as error:  # TimeoutError is an OSError
        sys.stderr.write(f"\ncould not delete this run's topics: {error!r}\n")
    else:
        sys.stderr.write(f"\ndeleted this run's {deleted} topics ({RUN_PREFIX}*)\n")


@pytest.fixture(scope="session", autouse=True)
def suppression_key() -> Iterator[str]:
    """Every worker needs a suppression key (erasure's keyed hash); tests get a random one
    unless the environment brings its own. Subprocesses inherit it."""
    line = os.environ.get("LOGWARDEN_SUPPRESSION_KEY")
    if line:
        yield line
        return
    line = "s1:" + base64.b64encode(os.urandom(32)).decode()
    os.environ["LOGWARDEN_SUPPRESSION_KEY"] = line
    yield line
    os.environ.pop("LOGWARDEN_SUPPRESSION_KEY", None)


@pytest.fixture
def topic_prefix() -> str:
    return unique_prefix()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def worker_factory(tmp_path: Path, kafka_bootstrap: str,
                   request: pytest.FixtureRequest) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `logwarden worker` subprocesses; stop them and show their logs on failure."""
    started: list[WorkerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None, name: str = "worker") -> WorkerProcess:
        workdir = tmp_path / f"{name}-{len(started)}"
        workdir.mkdir()
        worker = WorkerProcess(
            args=["--broker", f"kafka://{kafka_bootstrap}", "--web-port", str(free_port()),
                  "--data-dir", str(workdir / "data"), *args],
            log_path=workdir / "worker.log", env=env or {},
        )
        started.append(worker.start())
        return worker

    yield start
    for worker in started:
        worker.stop()
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        for worker in started:
            sys.stderr.write(f"\n--- {worker.log_path} ---\n{worker.logs()[-6000:]}\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    setattr(item, f"rep_{report.when}", report)
