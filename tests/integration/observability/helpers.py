"""Helpers for observability tests: worker env, topics, HTTP polling, tool lookup."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import shutil
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from streams.admin import create_topics
from streams.topics import TopicNames, topic_specs
from tests.kafkit import REPO, WorkerProcess

ARTIFACTS = REPO / "artifacts"


def create_spec_topics(bootstrap: str, prefix: str, app_id: str, partitions: int = 4) -> None:
    """Every topic as `logwarden topics create` makes it, so the worker's check passes."""
    names = TopicNames(prefix=prefix, app_id=app_id)
    asyncio.run(create_topics(bootstrap, topic_specs(names, partitions)))


def worker_env(**extra: str) -> dict[str, str]:
    """Keys for the engine (test-only, random per run) and a fast lag sampler."""
    def key(kid: str) -> str:
        return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}"

    return {"LOGWARDEN_PSEUDONYM_KEYS": key("t1"), "LOGWARDEN_SUPPRESSION_KEY": key("s1"),
            "LOGWARDEN_LAG_INTERVAL": "1", "LOGWARDEN_LAG_MIN_DISTANCE": "2", **extra}


def web_url(worker: WorkerProcess) -> str:
    port = worker.args[worker.args.index("--web-port") + 1]
    return f"http://127.0.0.1:{port}"


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_until(what: str, probe: Callable[[], Any], timeout: float = 90.0,
               worker: WorkerProcess | None = None) -> Any:
    """Poll `probe` until it returns something truthy; fail with `what` otherwise."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (OSError, ValueError) as exc:
            last = exc
        if last and not isinstance(last, Exception):
            return last
        if worker is not None and not worker.alive():
            logs = worker.logs()[-4000:]
            raise AssertionError(f"worker exited while waiting for {what}:\n{logs}")
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def status_json(worker: WorkerProcess) -> dict[str, Any]:
    code, body = http_get(f"{web_url(worker)}/status.json")
    if code != 200:
        raise ValueError(f"/status.json answered {code}: {body[:200]!r}")
    result: dict[str, Any] = orjson.loads(body)
    return result


def metric_value(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in Prometheus text format, or None when absent."""
    for line in text.splitlines():
        match = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    return None


def require_tool(path: str) -> str:
    """A system tool the test needs: FAIL under CI when missing (never skip there)."""
    found = shutil.which(path) or (path if Path(path).exists() else None)
    if found:
        return found
    message = f"{path} not found: run deploy/system-packages.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class SteadyProducer:
    """Keeps events arriving on a topic from a background thread."""

    def __init__(self, bootstrap: str, topic: str, per_second: int = 20) -> None:
        self.sent = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._run(bootstrap, topic, per_second)), daemon=True)

    async def _run(self, bootstrap: str, topic: str, per_second: int) -> None:
        from aiokafka import AIOKafkaProducer

        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
        await producer.start()
        try:
            while not self._stop.is_set():
                for _ in range(per_second // 4):
                    await producer.send(topic, orjson.dumps({"path": "/x", "n": self.sent}))
                    self.sent += 1
                await producer.flush()
                await asyncio.sleep(0.25)
        finally:
            await producer.stop()

    def __enter__(self) -> SteadyProducer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
