"""Why a Kafka client could not connect or was refused, in one line naming the setting.

aiokafka reports a failed TLS handshake or SASL login only as "Unable to bootstrap" (the
cause goes to its log), so after a failure `explain` retries the first broker step by step
(TCP, TLS, SASL) and names the setting at fault. Never a secret, never a traceback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from pathlib import Path
from typing import Any

from aiokafka import errors as kafka_errors

from streams.security import ClientSecurity, SecurityError

__all__ = ["diagnose", "explain", "explain_sync"]

_DENIED = {
    kafka_errors.TopicAuthorizationFailedError: "topic",
    kafka_errors.GroupAuthorizationFailedError: "consumer group",
    kafka_errors.TransactionalIdAuthorizationFailed: "transactional id",
    kafka_errors.ClusterAuthorizationFailedError: "cluster (a producer needs WRITE on a topic)",
}


def _first(bootstrap: str) -> tuple[str, int]:
    first = bootstrap.split(",")[0].split("://", 1)[-1]
    host, _, port = first.rpartition(":")
    return (host or first).strip("[]"), int(port or 9092)


# Alerts a broker sends after the handshake when it refuses the client's certificate (TLS
# 1.3 sends them on the first read): none given, or one it cannot verify.
_CLIENT_CERT_ALERTS = ("SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
                       "SSLV3_ALERT_CERTIFICATE_EXPIRED", "TLSV1_ALERT_UNKNOWN_CA",
                       "TLSV13_ALERT_CERTIFICATE_REQUIRED", "SSLV3_ALERT_HANDSHAKE_FAILURE")


async def _tls_handshake(host: str, port: int, context: ssl.SSLContext,
                         timeout: float, *, listen: float = 0.0) -> None:
    """Complete a handshake; then wait up to `listen` seconds for an alert (a broker
    sends nothing unasked, so silence means it accepted the client)."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(host, port, ssl=context, server_hostname=host), timeout)
    try:
        if listen:
            await asyncio.wait_for(reader.read(1), listen)
    except TimeoutError:
        pass
    finally:
        writer.close()


def _client_certificate_refused(security: ClientSecurity, where: str, reason: str) -> str:
    """Why a broker refused this client's certificate (or its lack of one), in one line."""
    path = security.ssl_certificate_location
    if path is None:
        return (f"ssl.certificate.location: {where} requires a client certificate (mutual "
                "TLS); set ssl.certificate.location and ssl.key.location")
    expiry = _certificate_dates(path)
    now = dt.datetime.now(dt.UTC)
    if expiry is not None and expiry[1] < now:
        return (f"ssl.certificate.location: the client certificate {path} expired on "
                f"{expiry[1]:%Y-%m-%d}")
    if expiry is not None and expiry[0] > now:
        return (f"ssl.certificate.location: the client certificate {path} is not valid "
                f"before {expiry[0]:%Y-%m-%d}")
    return (f"ssl.certificate.location: {where} refused the client certificate {path} "
            f"({reason}); is it signed by a CA the broker trusts?")


def _certificate_dates(path: Path) -> tuple[dt.datetime, dt.datetime] | None:
    from cryptography import x509

    try:
        cert = x509.load_pem_x509_certificates(path.read_bytes())[0]
    except (OSError, ValueError, IndexError):
        return None
    return cert.not_valid_before_utc, cert.not_valid_after_utc


def _certificate_subject(path: Path) -> str | None:
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificates(path.read_bytes())[0].subject.rfc4514_string()
    except (OSError, ValueError, IndexError):
        return None


async def diagnose(bootstrap: str, security: ClientSecurity, timeout: float = 10.0) -> str | None:
    """The first thing wrong between this client and the first bootstrap broker, or None."""
    host, port = _first(bootstrap)
    where = f"{host}:{port}"
    try:
        _r, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.close()
    except (OSError, TimeoutError) as exc:
        return f"bootstrap: nothing answers at {where} ({type(exc).__name__})"
    if security.uses_tls:
        wrong = await _tls_refused(host, port, security, timeout)
    else:
        wrong = await _speaks_tls(host, port, security, timeout)
    return wrong or await _kafka_refused(host, port, security, timeout)


async def _speaks_tls(host: str, port: int, security: ClientSecurity,
                      timeout: float) -> str | None:
    """A plaintext client pointed at a TLS listener."""
    probe = ssl.create_default_context()
    probe.check_hostname, probe.verify_mode = False, ssl.CERT_NONE
    try:
        await _tls_handshake(host, port, probe, min(timeout, 3.0))
    except (OSError, TimeoutError, ssl.SSLError):
        return None  # not TLS, as configured
    return (f"security.protocol: {security.security_protocol}, but {host}:{port} speaks "
            "TLS; use SSL or SASL_SSL")


async def _tls_refused(host: str, port: int, security: ClientSecurity,
                       timeout: float) -> str | None:
    """The TLS handshake's failure: hostname, expiry, trust, client certificate, no TLS."""
    where = f"{host}:{port}"
    try:
        await _tls_handshake(host, port, security.ssl_context(), timeout,
                             listen=min(timeout, 1.0))
    except ssl.SSLCertVerificationError as exc:
        if exc.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH, _IP_ADDRESS_
            return (f"ssl.endpoint.identification.algorithm: the certificate of {where} "
                    f"does not name {host}; connect by a name it holds")
        if exc.verify_code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
            return f"ssl.ca.location: the certificate of {where} has expired"
        return (f"ssl.ca.location: the certificate of {where} is not trusted by "
                f"{security.ssl_ca_location or 'the system CAs'} ({exc.verify_message})")
    except ssl.SSLError as exc:
        if exc.reason in _CLIENT_CERT_ALERTS:
            return _client_certificate_refused(security, where, str(exc.reason))
        return (f"security.protocol: {security.security_protocol}, but the TLS handshake "
                f"with {where} failed ({exc.reason}); does it speak TLS?")
    except (OSError, TimeoutError) as exc:
        return (f"security.protocol: {security.security_protocol}, but {where} closed "
                f"the TLS handshake ({type(exc).__name__}); does it speak TLS?")
    return None


async def _kafka_refused(host: str, port: int, security: ClientSecurity,
                         timeout: float) -> str | None:
    """The Kafka connection's failure: SASL mechanism, login, or a first request dropped."""
    from aiokafka.conn import create_conn
    from aiokafka.protocol.metadata import MetadataRequest

    where = f"{host}:{port}"
    try:
        conn = await asyncio.wait_for(create_conn(
            host, port, request_timeout_ms=int(timeout * 1000), **security.aiokafka_kwargs()),
            timeout)
    except (kafka_errors.UnsupportedSaslMechanismError, kafka_errors.IllegalSaslStateError):
        return f"sasl.mechanism: {where} does not enable {security.sasl_mechanism}"
    except (kafka_errors.SaslAuthenticationFailed, kafka_errors.AuthenticationFailedError):
        return (f"sasl.username/sasl.password: {where} refused {security.sasl_mechanism} "
                f"login as {security.sasl_username!r} (wrong password or unknown user)")
    except (kafka_errors.KafkaError, OSError, TimeoutError) as exc:
        return f"security.protocol: {where} dropped the connection ({type(exc).__name__})"
    try:
        await asyncio.wait_for(conn.send(MetadataRequest([])), timeout)
    except (kafka_errors.KafkaError, OSError, TimeoutError):
        return (f"security.protocol: {security.security_protocol}, but {where} closed the "
                "connection on the first request; does it require SASL (SASL_SSL)?")
    finally:
        conn.close()
    return None


def _denied(exc: BaseException) -> str | None:
    for kind, what in _DENIED.items():
        if isinstance(exc, kind):
            return what
    return None


async def explain(exc: BaseException, bootstrap: str, security: ClientSecurity) -> str:
    """One line for an operator: the setting or ACL at fault, else the error's type."""
    if isinstance(exc, SecurityError):
        return str(exc)
    what = _denied(exc)
    if what is not None:
        return (f"not authorized: principal {_principal(security)} lacks an ACL on a {what} "
                "(`logwarden acls plan` lists what each principal needs)")
    try:
        reason = await diagnose(bootstrap, security)
    except SecurityError as problem:
        return str(problem)
    if reason is not None:
        return reason
    if isinstance(exc, RuntimeError) and str(exc):  # ours (streams/admin.py): names topics
        return str(exc)
    return type(exc).__name__


def _principal(security: ClientSecurity) -> str:
    """Who the broker sees: the SASL user, else the client certificate's subject."""
    if security.sasl_username:
        return f"User:{security.sasl_username}"
    if security.ssl_certificate_location is not None:
        subject = _certificate_subject(security.ssl_certificate_location)
        if subject:
            return f"of the client certificate {subject}"
    return "User:ANONYMOUS"


def explain_sync(exc: BaseException, bootstrap: str, security: ClientSecurity) -> str:
    """`explain` for code outside an event loop (the CLI's error paths)."""
    result: Any = asyncio.run(explain(exc, bootstrap, security))
    return str(result)
