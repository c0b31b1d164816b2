"""`diagnose` names the TLS setting at fault against local TLS servers (no Kafka needed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from streams.connection import diagnose, explain
from streams.security import load_security

NOW = dt.datetime.now(dt.UTC)


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: str,
          issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool, sans: list[x509.GeneralName],
          expired: bool = False) -> x509.Certificate:
    end = NOW - dt.timedelta(days=1) if expired else NOW + dt.timedelta(days=1)
    builder = (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(_name(issuer))
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - dt.timedelta(days=2)).not_valid_after(end)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def pki(tmp_path: Path) -> Callable[..., tuple[Path, Path, Path]]:
    """make(expired=..., names=...) -> (ca.pem, server.pem, server.key)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("test CA", ca_key, "test CA", ca_key, ca=True, sans=[])
    ca_path = tmp_path / "ca.pem"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))

    def make(*, expired: bool = False,
             names: tuple[str, ...] = ("127.0.0.1",)) -> tuple[Path, Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        sans: list[x509.GeneralName] = [
            x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n)
            for n in names]
        cert = _cert("broker", key, "test CA", ca_key, ca=False, sans=sans, expired=expired)
        cert_path, key_path = tmp_path / "server.pem", tmp_path / "server.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        return ca_path, cert_path, key_path

    return make


@asynccontextmanager
async def _server(context: ssl.SSLContext | None) -> AsyncIterator[int]:
    """A listener on 127.0.0.1 that completes the TLS handshake (if any) and hangs up."""
    async def handle(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=context)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


def _tls_server(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    return context


def _ssl_client(ca: Path, **extra: str) -> object:
    return load_security({"LOGWARDEN_SECURITY_PROTOCOL": "SSL",
                          "LOGWARDEN_SSL_CA_LOCATION": str(ca), **extra})


@pytest.mark.parametrize(("expired", "names", "extra", "expected"), [
    (True, ("127.0.0.1",), {}, "ssl.ca.location: the certificate of 127.0.0.1:{port} has "
                               "expired"),
    (False, ("broker.example",), {},
     "ssl.endpoint.identification.algorithm: the certificate of 127.0.0.1:{port} does not "
     "name 127.0.0.1; connect by a name it holds"),
])
async def test_certificate_problems_name_the_setting(pki, expired, names, extra, expected):
    ca, cert, key = pki(expired=expired, names=names)
    async with _server(_tls_server(cert, key)) as port:
        reason = await diagnose(f"127.0.0.1:{port}", _ssl_client(ca, **extra), timeout=5)
    assert reason == expected.format(port=port)


async def test_hostname_mismatch_passes_when_verification_is_off_by_name(pki):
    ca, cert, key = pki(names=("broker.example",))
    off = {"LOGWARDEN_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM": "none"}
    async with _server(_tls_server(cert, key)) as port:
        reason = await diagnose(f"127.0.0.1:{port}", _ssl_client(ca, **off), timeout=5)
    # The TLS step passes; the Kafka step then fails on a server that hangs up.
    assert reason is not None
    assert reason.startswith("security.protocol:")
    assert "certificate" not in reason


async def test_untrusted_certificate_names_the_ca_setting(pki, tmp_path):
    _ca, cert, key = pki()
    other_key = ec.generate_private_key(ec.SECP256R1())
    other = tmp_path / "other.pem"
    other.write_bytes(_cert("other CA", other_key, "other CA", other_key, ca=True, sans=[])
                      .public_bytes(serialization.Encoding.PEM))
    async with _server(_tls_server(cert, key)) as port:
        reason = await diagnose(f"127.0.0.1:{port}", _ssl_client(other), timeout=5)
    assert reason is not None
    assert reason.startswith(f"ssl.ca.location: the certificate of 127.0.0.1:{port} is not "
                             f"trusted by {other}")


async def test_plaintext_client_on_a_tls_port_names_the_protocol(pki):
    _ca, cert, key = pki()
    async with _server(_tls_server(cert, key)) as port:
        reason = await diagnose(f"127.0.0.1:{port}", load_security({}), timeout=5)
    assert reason == f"security.protocol: PLAINTEXT, but 127.0.0.1:{port} speaks TLS; use " \
                     "SSL or SASL_SSL"


async def test_tls_client_on_a_plain_port_names_the_protocol(pki):
    ca, _cert, _key = pki()
    async with _server(None) as port:
        reason = await diagnose(f"kafka://127.0.0.1:{port}", _ssl_client(ca), timeout=5)
    assert reason is not None
    assert reason.startswith("security.protocol: SSL, but ")
    assert "does it speak TLS?" in reason


async def test_nothing_listening_names_the_bootstrap():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reason = await diagnose(f"127.0.0.1:{port}", load_security({}), timeout=5)
    assert reason == f"bootstrap: nothing answers at 127.0.0.1:{port} (ConnectionRefusedError)"


async def test_explain_reports_authorization_without_probing():
    from aiokafka.errors import GroupAuthorizationFailedError

    security = load_security({"LOGWARDEN_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
                              "LOGWARDEN_SASL_MECHANISM": "PLAIN",
                              "LOGWARDEN_SASL_USERNAME": "analytics",
                              "LOGWARDEN_SASL_PASSWORD": "pw-canary"})
    reason = await explain(GroupAuthorizationFailedError(), "127.0.0.1:1", security)
    assert reason.startswith("not authorized: principal User:analytics lacks an ACL on a "
                             "consumer group")
    assert "pw-canary" not in reason
