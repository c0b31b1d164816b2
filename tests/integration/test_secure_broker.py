"""logwarden against the secure broker (SASL_SSL, SCRAM, StandardAuthorizer, planned ACLs).

The session fixture starts `deploy/kafka/kafka.sh start --secure` on its own port (9392, or
$LOGWARDEN_SECURE_KAFKA_PORT) and stops it afterwards unless it was already running.
Under CI=1 a broker that cannot start fails the tests instead of skipping them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import TopicAuthorizationFailedError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from streams.connection import explain
from streams.security import ClientSecurity, load_security
from tests.conftest import free_port
from tests.integration.pipeline_kit import worker_env
from tests.kafkit import REPO, WorkerProcess, unique_prefix

pytestmark = pytest.mark.kafka

KAFKA_SH = REPO / "deploy" / "kafka" / "kafka.sh"


@dataclass(frozen=True)
class SecureBroker:
    port: int
    run: Path

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    @property
    def mtls_url(self) -> str:
        """The mutual-TLS client port (kafka.sh: KAFKA_MTLS_PORT, default port + 1)."""
        return f"kafka://127.0.0.1:{self.port + 1}"

    def config(self, user: str) -> Path:
        return self.run / "clients" / f"{user}.properties"

    def password(self, user: str) -> str:
        return (self.run / "secrets" / f"{user}.password").read_text().strip()

    def security(self, user: str) -> ClientSecurity:
        return load_security({}, self.config(user))


def _broker_env(port: int) -> dict[str, str]:
    return {**os.environ, "KAFKA_PORT": str(port), "PYTHON": sys.executable}


@pytest.fixture(scope="session")
def secure_broker() -> Iterator[SecureBroker]:
    port = int(os.environ.get("LOGWARDEN_SECURE_KAFKA_PORT", "9392"))
    home = Path(os.environ.get("LOGWARDEN_KAFKA_HOME",
                               Path.home() / ".cache" / "logwarden" / "kafka"))
    run = home / f"run-{port}"
    env = _broker_env(port)
    already = subprocess.run([str(KAFKA_SH), "status"], env=env, capture_output=True,
                             check=False).returncode == 0
    started = subprocess.run([str(KAFKA_SH), "start", "--secure"], env=env, text=True,
                             capture_output=True, timeout=240, check=False)
    if started.returncode != 0 or not (run / "secure").exists():
        message = f"secure broker did not start on {port}:\n{started.stderr[-3000:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield SecureBroker(port=port, run=run)
    finally:
        if not already:
            subprocess.run([str(KAFKA_SH), "stop"], env=env, capture_output=True,
                           timeout=60, check=False)


def logwarden(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("LOGWARDEN_SASL", "LOGWARDEN_SSL", "LOGWARDEN_SECURITY",
                                  "LOGWARDEN_CLIENT_CONFIG"))}
    return subprocess.run([sys.executable, "-m", "streams", *args], capture_output=True,
                          text=True, timeout=120, check=False, env={**clean, **(env or {})})


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def _prepare(broker: SecureBroker, prefix: str) -> list[str]:
    """ACLs for this prefix (admin) and its topics (created by the worker principal)."""
    common = ["--topic-prefix", prefix, "--app-id", f"{prefix}app"]
    _ok(logwarden("acls", "apply", "--broker", broker.url,
                  "--client-config", str(broker.config("admin")), *common))
    _ok(logwarden("topics", "create", "--broker", broker.url,
                  "--client-config", str(broker.config("worker")), *common))
    return common


async def _read(broker: SecureBroker, user: str, topic: str, *, expect: int,
                timeout: float = 60.0, group: str | None = None) -> list[bytes]:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group,
                                auto_offset_reset="earliest", isolation_level="read_committed",
                                **broker.security(user).aiokafka_kwargs())
    got: list[bytes] = []
    try:
        await consumer.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(got) < expect:
            batch = await consumer.getmany(timeout_ms=500)
            got += [r.value for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    return got


async def _end_offsets(broker: SecureBroker, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap,
                                **broker.security("admin").aiokafka_kwargs())
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(4)]
        return sum((await consumer.end_offsets(tps)).values())
    finally:
        await consumer.stop()


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return bool(json.loads(response.read())["ready"])
    except (OSError, urllib.error.HTTPError, ValueError):
        return False


def test_pipeline_runs_under_sasl_ssl_with_only_the_planned_acls(secure_broker, tmp_path):
    broker, prefix = secure_broker, unique_prefix()
    common = _prepare(broker, prefix)
    _ok(logwarden("acls", "check", "--broker", broker.url,
                  "--client-config", str(broker.config("admin")), *common))
    _ok(logwarden("consent", "set", "u1", "--analytics", "--broker", broker.url,
                  "--client-config", str(broker.config("privacy")), "--topic-prefix", prefix))
    web = free_port()
    worker = WorkerProcess(args=["--broker", broker.url, *common, "--web-port", str(web),
                                 "--data-dir", str(tmp_path / "data")],
                           log_path=tmp_path / "worker.log",
                           env={**worker_env(),
                                "LOGWARDEN_CLIENT_CONFIG": str(broker.config("worker"))})
    worker.start()
    try:
        deadline = time.monotonic() + 90
        while not _ready(web):
            assert worker.alive(), worker.logs()[-3000:]
            assert time.monotonic() < deadline, worker.logs()[-3000:]
            time.sleep(0.5)
        events = [orjson.dumps({"user_id": f"u{i % 3}", "ip": "198.51.100.23",
                                "email": f"pii{i}@example.org", "path": "/a?token=x"})
                  for i in range(12)]

        async def emit() -> None:
            producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, acks="all",
                                        enable_idempotence=True,
                                        **broker.security("emitter").aiokafka_kwargs())
            await producer.start()
            try:
                for value in events:
                    await producer.send_and_wait(f"{prefix}logs.raw", value)
            finally:
                await producer.stop()

        asyncio.run(emit())
        analytics = asyncio.run(_read(broker, "analytics", f"{prefix}logs.analytics",
                                      expect=len(events), group=f"analytics-{uuid.uuid4()}"))
        assert len(analytics) == len(events)
        assert not any(b"@example.org" in value or b"198.51.100.23" in value
                       for value in analytics)
        receipt = _ok(logwarden("forget", "u1", "--broker", broker.url, "--client-config",
                                str(broker.config("privacy")), "--topic-prefix", prefix,
                                "--timeout", "60"))
        assert json.loads(receipt)["status"] == "completed"
        # A broker outage: the worker stays up, reports not ready, and resumes on its own.
        _outage(broker, web, worker)
        asyncio.run(emit())
        erased = sum(1 for i in range(len(events)) if i % 3 == 1)  # u1's events now drop
        expected = 2 * len(events) - erased
        analytics = asyncio.run(_read(broker, "analytics", f"{prefix}logs.analytics",
                                      expect=expected, group=f"analytics-{uuid.uuid4()}"))
        assert len(analytics) == expected
        assert worker.alive()
        assert "Traceback" not in worker.logs()
        assert broker.password("worker") not in worker.logs()
    finally:
        worker.stop()


def _readyz(port: int) -> dict[str, object]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
            return dict(json.loads(response.read()))
    except urllib.error.HTTPError as refused:  # 503 carries the same document
        return dict(json.loads(refused.read()))


def _outage(broker: SecureBroker, web: int, worker: WorkerProcess) -> None:
    env = _broker_env(broker.port)
    subprocess.run([str(KAFKA_SH), "stop"], env=env, capture_output=True, timeout=60,
                   check=True)
    try:
        deadline = time.monotonic() + 30
        while (state := _readyz(web))["ready"] or not state.get("broker_error"):
            assert time.monotonic() < deadline, state
            time.sleep(0.5)
        assert worker.alive()
    finally:
        subprocess.run([str(KAFKA_SH), "start"], env=env, capture_output=True, timeout=180,
                       check=True)
    deadline = time.monotonic() + 60
    while not _ready(web):
        assert worker.alive(), worker.logs()[-3000:]
        assert time.monotonic() < deadline, _readyz(web)
        time.sleep(0.5)


def _certificate(common_name: str, *, issuer: tuple[Any, x509.Certificate] | None = None,
                 days: tuple[int, int] = (0, 1)) -> tuple[Any, x509.Certificate]:
    """A key and its certificate, valid from `days[0]` to `days[1]` days from now, signed
    by `issuer` (key, certificate) or self-signed as a CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(name)
               .issuer_name(issuer[1].subject if issuer else name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now + dt.timedelta(days=days[0]))
               .not_valid_after(now + dt.timedelta(days=days[1])))
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    return key, builder.sign(issuer[0] if issuer else key, hashes.SHA256())


def _write_pem(directory: Path, stem: str, key: Any, cert: x509.Certificate) -> Path:
    """`stem`.key and `stem`.crt in `directory`; returns the certificate's path."""
    (directory / f"{stem}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    path = directory / f"{stem}.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _untrusted_ca(directory: Path) -> Path:
    return _write_pem(directory, "other-ca", *_certificate("someone else's CA"))


def _variant(broker: SecureBroker, directory: Path, case: str) -> Path | None:
    """A client config that is wrong in exactly one way (None: no config, PLAINTEXT)."""
    text = broker.config("privacy").read_text()
    password = broker.password("privacy")
    if case == "wrong password":
        text = text.replace(password, "not-" + password[:8])
    elif case == "unknown user":
        text = text.replace('username="privacy"', 'username="mallory"')
    elif case == "untrusted certificate":
        text = "\n".join(line for line in text.splitlines()
                         if not line.startswith("ssl.ca.location"))
        text += f"\nssl.ca.location={_untrusted_ca(directory)}\n"
    elif case == "TLS without SASL":
        text = (f"security.protocol=SSL\n"
                f"ssl.ca.location={broker.run / 'tls' / 'ca.pem'}\n")
    elif case == "missing ACL":
        text = broker.config("emitter").read_text()  # emitters may not write consent
    elif case == "plaintext":
        return None
    path = directory / f"{case.replace(' ', '-')}.properties"
    path.write_text(text)
    return path


CASES = {
    "wrong password": "sasl.username/sasl.password",
    "unknown user": "sasl.username/sasl.password",
    "untrusted certificate": "ssl.ca.location: the certificate of",
    "plaintext": "security.protocol: PLAINTEXT, but 127.0.0.1",
    "TLS without SASL": "does it require SASL",
    "missing ACL": "not authorized: principal User:emitter",
}


def test_refused_clients_name_the_setting_and_write_nothing(secure_broker, tmp_path):
    broker, prefix = secure_broker, unique_prefix()
    _prepare(broker, prefix)
    secrets = [broker.password(user) for user in ("privacy", "emitter")]
    for case, expected in CASES.items():
        config = _variant(broker, tmp_path, case)
        extra = ["--client-config", str(config)] if config else []
        result = logwarden("consent", "set", "u9", "--analytics", "--broker", broker.url,
                           "--topic-prefix", prefix, *extra)
        assert result.returncode == 1, (case, result.stdout, result.stderr)
        assert expected in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr, case
        assert result.stderr.count("\n") == 1, (case, result.stderr)  # one line
        assert not any(secret in result.stderr + result.stdout for secret in secrets), case
    assert asyncio.run(_end_offsets(broker, f"{prefix}privacy.consent")) == 0


def test_analytics_consumer_cannot_read_raw_or_identifiable(secure_broker):
    broker, prefix = secure_broker, unique_prefix()
    _prepare(broker, prefix)
    security = broker.security("analytics")
    for topic in (f"{prefix}logs.raw", f"{prefix}logs.identifiable"):
        with pytest.raises(TopicAuthorizationFailedError) as denied:
            asyncio.run(_read(broker, "analytics", topic, expect=1, timeout=30,
                              group=f"analytics-{uuid.uuid4()}"))
        reason = asyncio.run(explain(denied.value, broker.bootstrap, security))
        assert reason.startswith("not authorized: principal User:analytics lacks an ACL on "
                                 "a topic")


def test_worker_with_a_wrong_password_exits_with_one_clear_line(secure_broker, tmp_path):
    broker = secure_broker
    bad = tmp_path / "worker.properties"
    password = broker.password("worker")
    bad.write_text(broker.config("worker").read_text().replace(password, "wrong"))
    result = logwarden("worker", "--broker", broker.url, "--topic-prefix", unique_prefix(),
                       "--web-port", str(free_port()), "--data-dir", str(tmp_path / "d"),
                       env={**worker_env(), "LOGWARDEN_CLIENT_CONFIG": str(bad)})
    assert result.returncode == 1
    assert "sasl.username/sasl.password" in result.stderr
    assert "Traceback" not in result.stderr
    assert password not in result.stderr


def test_acls_check_reports_missing_and_extra_grants(secure_broker):
    broker, prefix = secure_broker, unique_prefix()
    admin = ["--broker", broker.url, "--client-config", str(broker.config("admin")),
             "--topic-prefix", prefix, "--app-id", f"{prefix}app"]
    before = logwarden("acls", "check", *admin)
    assert before.returncode == 1
    assert f"missing User:emitter ALLOW WRITE on TOPIC literal:{prefix}logs.raw" in before.stderr
    _ok(logwarden("acls", "apply", *admin))
    # The analytics principal gains a grant the plan does not give it: drift.
    _ok(logwarden("acls", "apply", *admin, "--worker-principal", "User:analytics"))
    after = logwarden("acls", "check", *admin)
    assert after.returncode == 1
    assert f"extra   User:analytics ALLOW READ on TOPIC literal:{prefix}logs.raw" in after.stderr
    assert "missing" not in after.stderr


def _mtls_variant(broker: SecureBroker, directory: Path, case: str) -> Path | None:
    """A mutual-TLS client config for `case` (None: no config, PLAINTEXT)."""
    tls = broker.run / "tls"
    ca_key = serialization.load_pem_private_key((tls / "ca.key").read_bytes(), None)
    ca = (ca_key, x509.load_pem_x509_certificate((tls / "ca.pem").read_bytes()))
    if case == "plaintext":
        return None
    if case in ("privacy", "emitter"):  # made by kafka.sh, signed by the broker's CA
        return broker.config(f"{case}-mtls")
    lines = ["security.protocol=SSL", f"ssl.ca.location={tls / 'ca.pem'}"]
    if case != "no certificate":
        issuer, days = {"expired certificate": (ca, (-10, -1)),
                        "untrusted CA": (_certificate("someone else's CA"), (0, 1))}[case]
        stem = case.replace(" ", "-")
        cert = _write_pem(directory, stem, *_certificate("privacy", issuer=issuer, days=days))
        lines += [f"ssl.certificate.location={cert}",
                  f"ssl.key.location={directory / f'{stem}.key'}"]
    path = directory / f"mtls-{case.replace(' ', '-')}.properties"
    path.write_text("\n".join(lines) + "\n")
    return path


MTLS_REFUSED = {
    "plaintext": "security.protocol: PLAINTEXT, but 127.0.0.1",
    "no certificate": "requires a client certificate (mutual TLS); set ssl.certificate.location",
    "expired certificate": "ssl.certificate.location: the client certificate",
    "untrusted CA": "refused the client certificate",
    "emitter": "not authorized: principal of the client certificate CN=emitter",
}


def test_mutual_tls_client_certificates(secure_broker, tmp_path):
    """The secure broker's second client port requires a client certificate (no SASL) and
    takes its CN as the principal: the privacy team's certificate writes consent; no
    certificate, an expired one, one from another CA, a plaintext client and a principal
    without the ACL are each refused with one line naming the setting, nothing written."""
    broker = secure_broker
    written, refused = unique_prefix(), unique_prefix()
    _prepare(broker, written)
    _prepare(broker, refused)

    def consent(prefix: str, case: str) -> subprocess.CompletedProcess[str]:
        config = _mtls_variant(broker, tmp_path, case)
        extra = ["--client-config", str(config)] if config else []
        return logwarden("consent", "set", "u9", "--analytics", "--broker", broker.mtls_url,
                         "--topic-prefix", prefix, *extra)

    _ok(consent(written, "privacy"))
    assert asyncio.run(_end_offsets(broker, f"{written}privacy.consent")) == 1
    for case, expected in MTLS_REFUSED.items():
        result = consent(refused, case)
        assert result.returncode == 1, (case, result.stdout, result.stderr)
        assert expected in result.stderr, (case, result.stderr)
        assert "Traceback" not in result.stderr, case
        assert result.stderr.count("\n") == 1, (case, result.stderr)
    assert asyncio.run(_end_offsets(broker, f"{refused}privacy.consent")) == 0
