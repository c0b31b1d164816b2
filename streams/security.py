"""Client security: the TLS and SASL settings every Kafka client of logwarden connects with.

One frozen `ClientSecurity`, named as Kafka names it (`security.protocol`, `sasl.mechanism`,
...), read from a Kafka-style `client.properties` file (`--client-config` or
`$LOGWARDEN_CLIENT_CONFIG`) and then from `LOGWARDEN_*` variables, which win. Secrets come
from that file or the environment (`$LOGWARDEN_SASL_PASSWORD` or `..._FILE`), never from a
command-line flag. Every client is built with `**security.aiokafka_kwargs()`; the Faust app
takes `broker_credentials=security.faust_credentials()`. Errors name the setting and where
it came from, never a secret.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from redactors.errors import LogwardenError

__all__ = [
    "PLAINTEXT",
    "ClientSecurity",
    "SecurityError",
    "load_security",
    "parse_properties",
]

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

_ENV_PREFIX = "LOGWARDEN_"
_CONFIG_ENV = "LOGWARDEN_CLIENT_CONFIG"
# Kafka property -> field. Java clients' PEM truststore/keystore names map onto the same.
_PROPERTIES = {
    "security.protocol": "security_protocol",
    "sasl.mechanism": "sasl_mechanism",
    "sasl.username": "sasl_username",
    "sasl.password": "sasl_password",
    "ssl.ca.location": "ssl_ca_location",
    "ssl.certificate.location": "ssl_certificate_location",
    "ssl.key.location": "ssl_key_location",
    "ssl.key.password": "ssl_key_password",
    "ssl.endpoint.identification.algorithm": "ssl_endpoint_identification_algorithm",
}
_SECRETS = ("sasl.password", "ssl.key.password")  # also read from $LOGWARDEN_..._FILE
_JAAS = re.compile(r'(username|password)\s*=\s*"((?:[^"\\]|\\.)*)"')
_TLS = ("SSL", "SASL_SSL")
_SASL = ("SASL_PLAINTEXT", "SASL_SSL")


class SecurityError(LogwardenError):
    """A client security setting is missing, contradictory or unusable; names the setting."""


def _env_name(prop: str) -> str:
    return _ENV_PREFIX + prop.upper().replace(".", "_")


class ClientSecurity(BaseModel):
    """How a client authenticates to and encrypts its traffic with the brokers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    security_protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_ca_location: Path | None = None  # None: the system's trusted CAs
    ssl_certificate_location: Path | None = None  # mutual TLS: client certificate (PEM)
    ssl_key_location: Path | None = None
    ssl_key_password: SecretStr | None = None
    ssl_endpoint_identification_algorithm: Literal["https", "none", ""] = "https"
    source: str = Field(default="defaults", exclude=True)  # for error messages

    @model_validator(mode="after")
    def _consistent(self) -> ClientSecurity:
        def fail(prop: str, reason: str) -> SecurityError:
            return SecurityError(f"{self.source}: {prop}: {reason}")

        protocol = self.security_protocol
        if protocol in _SASL:
            if self.sasl_mechanism is None:
                raise fail("sasl.mechanism", f"required with security.protocol={protocol} "
                           "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512)")
            if not self.sasl_username:
                raise fail("sasl.username", f"required with security.protocol={protocol}")
            if self.sasl_password is None or not self.sasl_password.get_secret_value():
                raise fail("sasl.password", f"required with security.protocol={protocol} "
                           f"(set ${_env_name('sasl.password')}_FILE or put it in "
                           "sasl.jaas.config of the client config file)")
        elif self.sasl_mechanism or self.sasl_username or self.sasl_password:
            raise fail("security.protocol", f"is {protocol}, so the SASL settings would be "
                       "ignored; use SASL_SSL or SASL_PLAINTEXT")
        tls_set = [name for name in ("ssl.ca.location", "ssl.certificate.location",
                                     "ssl.key.location", "ssl.key.password")
                   if getattr(self, _PROPERTIES[name]) is not None]
        if protocol not in _TLS and tls_set:
            raise fail("security.protocol", f"is {protocol}, so {tls_set[0]} would be "
                       "ignored; use SSL or SASL_SSL")
        if self.ssl_key_location is not None and self.ssl_certificate_location is None:
            raise fail("ssl.certificate.location", "required with ssl.key.location")
        return self

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in _TLS

    @property
    def check_hostname(self) -> bool:
        return self.ssl_endpoint_identification_algorithm == "https"

    def describe(self) -> str:
        """One line for logs and /status: protocol, mechanism, user and CA, never a secret."""
        parts: list[str] = [self.security_protocol]
        if self.sasl_mechanism:
            parts.append(f"{self.sasl_mechanism} as {self.sasl_username}")
        if self.uses_tls:
            parts.append(f"CA {self.ssl_ca_location or 'system'}")
            if self.ssl_certificate_location:
                parts.append(f"client certificate {self.ssl_certificate_location}")
            if not self.check_hostname:
                parts.append("hostname NOT verified")
        return ", ".join(parts)

    def ssl_context(self) -> ssl.SSLContext:
        """Verifying context: the CA file (or the system's), the client certificate if any."""
        ca = self.ssl_ca_location
        try:
            context = ssl.create_default_context(cafile=str(ca) if ca else None)
        except (OSError, ssl.SSLError) as exc:
            raise self._file_error("ssl.ca.location", ca, exc) from None
        context.check_hostname = self.check_hostname
        if self.ssl_certificate_location is not None:
            password = self.ssl_key_password
            try:
                context.load_cert_chain(
                    str(self.ssl_certificate_location),
                    str(self.ssl_key_location) if self.ssl_key_location else None,
                    password=password.get_secret_value() if password else None)
            except (OSError, ssl.SSLError) as exc:
                prop = ("ssl.key.password" if password is not None and isinstance(
                    exc, ssl.SSLError) else "ssl.certificate.location")
                raise self._file_error(prop, self.ssl_certificate_location, exc) from None
        return context

    def _file_error(self, prop: str, path: Path | None, exc: Exception) -> SecurityError:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else (
            getattr(exc, "reason", None) or type(exc).__name__)
        return SecurityError(f"{self.source}: {prop}: cannot use {path}: {reason}")

    def aiokafka_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for AIOKafkaConsumer, AIOKafkaProducer and AIOKafkaAdminClient."""
        kwargs: dict[str, Any] = {"security_protocol": self.security_protocol}
        if self.uses_tls:
            kwargs["ssl_context"] = self.ssl_context()
        if self.security_protocol in _SASL:
            assert self.sasl_password is not None  # checked by _consistent
            kwargs.update(sasl_mechanism=self.sasl_mechanism,
                          sasl_plain_username=self.sasl_username,
                          sasl_plain_password=self.sasl_password.get_secret_value())
        return kwargs

    def faust_credentials(self) -> Any:
        """faust.App(broker_credentials=...): None for PLAINTEXT."""
        import faust

        if self.security_protocol == "PLAINTEXT":
            return None
        context = self.ssl_context() if self.uses_tls else None
        if self.security_protocol == "SSL":
            return faust.SSLCredentials(context)
        assert self.sasl_password is not None
        return faust.SASLCredentials(username=self.sasl_username,
                                     password=self.sasl_password.get_secret_value(),
                                     ssl_context=context, mechanism=self.sasl_mechanism)


PLAINTEXT = ClientSecurity()


def parse_properties(text: str) -> dict[str, str]:
    """Java `.properties` lines: `key=value`, `key: value`, `#`/`!` comments, `\\` joins."""
    values: dict[str, str] = {}
    logical = ""
    for raw in text.splitlines():
        line = raw.strip() if not logical else raw.lstrip()
        if not logical and (not line or line[0] in "#!"):
            continue
        if line.endswith("\\") and not line.endswith("\\\\"):
            logical += line[:-1]
            continue
        logical += line
        key, value = _split_property(logical)
        values[key] = value
        logical = ""
    return values


def _split_property(line: str) -> tuple[str, str]:
    match = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)$", line)
    return (line, "") if match is None else (match.group(1), match.group(2).strip())


def _from_properties(props: Mapping[str, str], source: str) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in props.items():
        if key in _PROPERTIES:
            values[_PROPERTIES[key]] = value
        elif key == "sasl.jaas.config":
            found = dict(_JAAS.findall(value))
            if "username" in found:
                values.setdefault("sasl_username", found["username"])
            if "password" in found:
                values.setdefault("sasl_password", found["password"].replace('\\"', '"'))
        elif key in ("ssl.truststore.location", "ssl.keystore.location"):
            kind = props.get(key.rsplit(".", 1)[0] + ".type", "JKS")
            if kind.upper() != "PEM":
                raise SecurityError(f"{source}: {key.rsplit('.', 1)[0]}.type: {kind} stores "
                                    "are not supported; use PEM files (ssl.ca.location, "
                                    "ssl.certificate.location, ssl.key.location)")
            field = ("ssl_ca_location" if key.startswith("ssl.truststore")
                     else "ssl_certificate_location")
            values.setdefault(field, value)
        elif key in ("ssl.truststore.type", "ssl.keystore.type"):
            continue
        elif key.startswith(("sasl.", "ssl.")):  # a security setting we would ignore
            raise SecurityError(f"{source}: {key}: not supported by logwarden's clients")
    return values


def load_security(env: Mapping[str, str] | None = None,
                  config_file: str | Path | None = None) -> ClientSecurity:
    """The client security settings: the config file's, overridden by `LOGWARDEN_*`."""
    env = os.environ if env is None else env
    path = config_file or env.get(_CONFIG_ENV) or None
    values: dict[str, Any] = {}
    sources = []
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise SecurityError(f"client config {path}: cannot read: "
                                f"{exc.strerror or type(exc).__name__}") from None
        values.update(_from_properties(parse_properties(text), f"client config {path}"))
        sources.append(f"client config {path}")
    from_env = False
    for prop, field in _PROPERTIES.items():
        name = _env_name(prop)
        if env.get(name):
            values[field] = env[name]
            from_env = True
        if prop in _SECRETS and env.get(name + "_FILE"):
            secret_file = env[name + "_FILE"]
            try:
                values[field] = Path(secret_file).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SecurityError(f"{name}_FILE: cannot read {secret_file}: "
                                    f"{exc.strerror or type(exc).__name__}") from None
            from_env = True
    if from_env:
        sources.append("LOGWARDEN_* environment")
    source = " and ".join(sources) or "defaults"
    for field, case in (("security_protocol", str.upper), ("sasl_mechanism", str.upper),
                        ("ssl_endpoint_identification_algorithm", str.lower)):
        if isinstance(values.get(field), str):
            values[field] = case(values[field])  # Kafka reads these case-insensitively
    try:
        return ClientSecurity(**values, source=source)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            field = str(error["loc"][0]) if error["loc"] else ""
            prop = next((p for p, f in _PROPERTIES.items() if f == field), field)
            problems.append(f"{prop}: {error['msg']}")
        raise SecurityError(f"{source}: " + "; ".join(problems)) from None
