"""Test helpers for the real broker: topics, producing, consuming, worker subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

REPO = Path(__file__).resolve().parent.parent


# Every topic a test run names starts with RUN_PREFIX, so the run can delete its own topics at
# the end (tests/conftest.py) and the shared broker does not gather thousands of them.
RUN_PREFIX = f"t{uuid.uuid4().hex[:4]}"


def unique_prefix() -> str:
    return f"{RUN_PREFIX}{uuid.uuid4().hex[:6]}."


async def delete_topics_starting(bootstrap: str, prefix: str) -> int:
    """Delete every topic whose name starts with `prefix`; the number deleted."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=60_000)
    await admin.start()
    try:
        names = [name for name in await admin.list_topics() if name.startswith(prefix)]
        for start in range(0, len(names), 200):
            await admin.delete_topics(names[start:start + 200], timeout_ms=60_000)
        return len(names)
    finally:
        await admin.close()


async def create_topics(bootstrap: str, names: Iterable[str], partitions: int = 4,
                        config: dict[str, str] | None = None) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [NewTopic(name, partitions, 1, topic_configs=config or {}) for name in names]
        with contextlib.suppress(TopicAlreadyExistsError):
            await admin.create_topics(topics)
    finally:
        await admin.close()


async def produce(bootstrap: str, topic: str, values: Sequence[bytes],
                  keys: Sequence[bytes | None] | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True)
    await producer.start()
    try:
        futures = [
            await producer.send(topic, value=value, key=keys[i] if keys else None)
            for i, value in enumerate(values)
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def consume(bootstrap: str, topics: Sequence[str], *, expect: int | None = None,
                  timeout: float = 60.0, idle: float = 3.0,
                  read_committed: bool = True) -> dict[str, list[tuple[bytes | None, bytes]]]:
    """Read topics from the start until `expect` records arrived (or idle/timeout)."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, group_id=None,
        isolation_level="read_committed" if read_committed else "read_uncommitted",
    )
    await consumer.start()
    got: dict[str, list[tuple[bytes | None, bytes]]] = {t: [] for t in topics}
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            for tp, records in batch.items():
                got[tp.topic].extend((r.key, r.value) for r in records)
                last = time.monotonic()
            total = sum(len(v) for v in got.values())
            if expect is not None and total >= expect and time.monotonic() - last > 0.5:
                break
            if expect is None and time.monotonic() - last > idle:
                break
    finally:
        await consumer.stop()
    return got


@dataclass
class WorkerProcess:
    """A `logwarden worker` subprocess whose output goes to a log file."""

    args: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        env = {**os.environ, **self.env}
        handle = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker", *self.args],
            stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=self.log_path.parent,
        )
        return self

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        if self.alive():
            assert self.proc is not None
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 30.0) -> None:
        if not self.alive():
            return
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def wait_for_log(worker: WorkerProcess, needle: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in worker.logs():
            return
        if not worker.alive():
            raise AssertionError(f"worker exited early:\n{worker.logs()[-4000:]}")
        time.sleep(0.3)
    raise AssertionError(f"worker never logged {needle!r}:\n{worker.logs()[-4000:]}")


class OwnBroker:
    """A broker of a test's own (deploy/kafka/kafka.sh on `port`), to stop and start at will."""

    def __init__(self, port: int) -> None:
        self.port, self.bootstrap = port, f"127.0.0.1:{port}"

    def run(self, action: str) -> subprocess.CompletedProcess[str]:
        # A loaded CI machine can take minutes to elect the controller.
        env = {"KAFKA_START_TIMEOUT": "240", **os.environ, "KAFKA_PORT": str(self.port)}
        return subprocess.run([str(REPO / "deploy" / "kafka" / "kafka.sh"), action], env=env,
                              text=True, capture_output=True, timeout=300, check=False)

    def start(self, *, restart: bool = False) -> None:
        """Start it (a first start formats a fresh broker); a first start that fails skips
        the test outside CI, a restart fails."""
        if not restart:
            reset = self.run("reset")
            assert reset.returncode == 0, reset.stderr[-2000:]
        started = self.run("start")
        if started.returncode != 0:
            message = f"cannot start a broker on {self.port}: {started.stderr[-2000:]}"
            if os.environ.get("CI") or restart:
                pytest.fail(message)
            pytest.skip(message)

    def pid(self) -> int:
        """The running broker's process id (kafka.sh's pid file)."""
        home = Path(os.environ.get("LOGWARDEN_KAFKA_HOME",
                                   Path.home() / ".cache" / "logwarden" / "kafka"))
        return int((home / f"run-{self.port}" / "broker.pid").read_text().strip())

    def stop(self) -> None:
        stopped = self.run("stop")
        assert stopped.returncode == 0, stopped.stderr[-2000:]
