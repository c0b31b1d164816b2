"""`logwarden doctor` against the real broker: a healthy deployment, then broken ones."""

from __future__ import annotations

import base64
import os
import subprocess
import sys

import orjson
import pytest

from tests.integration.observability.helpers import (
    create_spec_topics,
    status_json,
    wait_until,
    worker_env,
)
from tests.kafkit import REPO

pytestmark = pytest.mark.kafka


def doctor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams", "doctor", *args],
                          env={**os.environ, **env}, text=True, capture_output=True,
                          timeout=240, cwd=REPO, check=False)


def verdicts(run: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return {c["name"]: c["verdict"] for c in orjson.loads(run.stdout)["checks"]}


def test_a_healthy_deployment_passes_every_check(kafka_bootstrap, topic_prefix,
                                                 worker_factory):
    app = f"{topic_prefix}app"
    create_spec_topics(kafka_bootstrap, topic_prefix, app)
    env = worker_env()
    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", app, env=env)
    wait_until("the worker joined its group",
               lambda: status_json(worker)["lag"]["members"], worker=worker, timeout=180)
    args = ("--broker", f"kafka://{kafka_bootstrap}", "--topic-prefix", topic_prefix,
            "--app-id", app)
    run = doctor(*args, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert [line.split()[1] for line in lines[:3]] == ["broker", "topics", "acls"]
    assert all(line.startswith(("OK", "SKIP")) for line in lines if not line.startswith(" "))
    assert "skipped: the broker has no authorizer" in run.stdout
    as_json = doctor(*args, "--json", env=env)
    assert as_json.returncode == 0
    assert verdicts(as_json) == {"broker": "ok", "topics": "ok", "acls": "skip",
                                 "pseudonym keys": "ok", "suppression key": "ok",
                                 "policy": "ok", "consent topic": "ok", "worker group": "ok"}


def test_missing_topics_and_a_bad_key_fail_with_what_to_do(kafka_bootstrap, topic_prefix,
                                                           tmp_path):
    secret = base64.b64encode(b"short").decode()
    key_file = tmp_path / "pseudonym.keys"
    key_file.write_text(f"k1:{secret}\n")
    env = {**worker_env(), "LOGWARDEN_PSEUDONYM_KEYS": "", "LOGWARDEN_PSEUDONYM_KEY_FILE":
           str(key_file)}
    env.pop("LOGWARDEN_PSEUDONYM_KEYS")
    run = doctor("--broker", f"kafka://{kafka_bootstrap}", "--topic-prefix", topic_prefix,
                 "--json", env=env)
    assert run.returncode == 1
    found = verdicts(run)
    assert found["broker"] == "ok"
    assert found["topics"] == found["consent topic"] == "fail"
    assert found["pseudonym keys"] == "fail"
    assert found["suppression key"] == "ok"
    assert secret not in run.stdout + run.stderr
    todo = {c["name"]: c["todo"] for c in orjson.loads(run.stdout)["checks"]}
    assert "logwarden topics create" in todo["topics"]
    assert "LOGWARDEN_PSEUDONYM_KEY" in todo["pseudonym keys"]


def test_an_unreachable_broker_fails_first_and_says_so(free_port_number):
    run = doctor("--broker", f"kafka://127.0.0.1:{free_port_number}", env=worker_env())
    assert run.returncode == 1
    first = run.stdout.splitlines()[0]
    assert first.startswith("FAIL  broker")
    assert "nothing answers" in first
    assert "Traceback" not in run.stderr


@pytest.fixture
def free_port_number() -> int:
    from tests.conftest import free_port

    return free_port()
