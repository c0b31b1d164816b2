"""Helpers for the data-subject rights tests on the real broker."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from redactors.consent import ConsentState
from schemas.consent import encode_consent
from streams.admin import create_topics
from streams.topics import TopicNames, topic_specs
from tests.kafkit import REPO, WorkerProcess, consume, produce, wait_for_log

PARTITIONS = 4
OUTPUTS = ("analytics", "identifiable", "deadletter")


def names_for(prefix: str) -> TopicNames:
    return TopicNames(prefix=prefix, app_id=f"{prefix}app")


def worker_env() -> dict[str, str]:
    return {"LOGWARDEN_PSEUDONYM_KEYS": f"t1:{base64.b64encode(os.urandom(32)).decode()}"}


def start_worker(worker_factory: Callable[..., WorkerProcess], prefix: str,
                 env: dict[str, str], *args: str) -> WorkerProcess:
    worker: WorkerProcess = worker_factory("--topic-prefix", prefix, "--app-id", f"{prefix}app",
                                           "--partitions", str(PARTITIONS), *args, env=env)
    wait_for_log(worker, "[^Worker]: Ready", timeout=90)
    return worker


def setup_topics(bootstrap: str, prefix: str) -> None:
    asyncio.run(create_topics(bootstrap, topic_specs(names_for(prefix), PARTITIONS)))


def set_consent(bootstrap: str, prefix: str, *states: ConsentState) -> None:
    records = [encode_consent(state) for state in states]
    asyncio.run(produce(bootstrap, names_for(prefix).consent, [v for _, v in records],
                        [k for k, _ in records]))


def full_consent(subject: str) -> ConsentState:
    return ConsentState(subject_id=subject, analytics=True, profiling=True, marketing=True,
                        updated_at="2026-11-01T00:00:00Z")


def event(subject: str, seq: int, **extra: Any) -> bytes:
    """A web-log event whose `seq` survives into analytics, so it can be traced."""
    return orjson.dumps({
        "ts": "2026-11-25T10:00:00Z", "user_id": subject, "email": f"{subject}@example.org",
        "ip": "203.0.113.7", "path": "/projects/42?tab=render", "seq": seq, **extra})


def send_events(bootstrap: str, prefix: str, events: Iterable[bytes]) -> None:
    asyncio.run(produce(bootstrap, names_for(prefix).raw, list(events)))


def read_outputs(bootstrap: str, prefix: str, *, expect: int | None = None,
                 timeout: float = 60.0) -> dict[str, list[tuple[bytes | None, bytes]]]:
    """Everything on the three output topics, by route name."""
    names = names_for(prefix)
    topics = [getattr(names, route) for route in OUTPUTS]
    got = asyncio.run(consume(bootstrap, topics, expect=expect, timeout=timeout, idle=4.0))
    return {route: got[getattr(names, route)] for route in OUTPUTS}


def seqs(records: list[tuple[bytes | None, bytes]]) -> list[int]:
    out = []
    for _, value in records:
        document = orjson.loads(value) if value.startswith(b"{") else {}
        if isinstance(document.get("seq"), int):
            out.append(document["seq"])
    return sorted(out)


def read_receipts(bootstrap: str, prefix: str, *, expect: int,
                  timeout: float = 60.0) -> list[dict[str, Any]]:
    topic = names_for(prefix).receipts
    got = asyncio.run(consume(bootstrap, [topic], expect=expect, timeout=timeout))
    return [orjson.loads(value) for _, value in got[topic]]


def cli(*args: str, env: dict[str, str] | None = None,
        timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    """Run `logwarden ARGS` as users do."""
    return subprocess.run(
        [sys.executable, "-m", "streams", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, cwd=REPO, timeout=timeout, check=False)


def rights_cli(command: str, subject: str, bootstrap: str, prefix: str,
               *args: str) -> subprocess.CompletedProcess[str]:
    return cli(command, subject, "--broker", f"kafka://{bootstrap}", "--topic-prefix", prefix,
               *args)


def log_entry(logs: str, msg: str) -> dict[str, object]:
    """The first JSON log line whose message is `msg`."""
    return next(orjson.loads(line) for line in logs.splitlines()
                if line.startswith("{") and orjson.loads(line).get("msg") == msg)


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
