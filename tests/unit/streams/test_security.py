"""Client security settings: sources, precedence, validation, secrets kept out of sight."""

from __future__ import annotations

import datetime as dt
import ssl
from pathlib import Path

import faust
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from streams.cli import cli
from streams.security import ClientSecurity, SecurityError, load_security, parse_properties

SECRET = "s3cret-Pa55word-canary"
SASL_ENV = {"LOGWARDEN_SECURITY_PROTOCOL": "SASL_SSL",
            "LOGWARDEN_SASL_MECHANISM": "SCRAM-SHA-512",
            "LOGWARDEN_SASL_USERNAME": "worker", "LOGWARDEN_SASL_PASSWORD": SECRET}


def _pem_pair(tmp: Path, name: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None
              = None, *, key_password: bytes | None = None) -> tuple[Path, Path, x509.Name,
                                                                      ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer or (subject, key)
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), True)
            .sign(issuer_key, hashes.SHA256()))
    cert_path, key_path = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(key_password) if key_password
        else serialization.NoEncryption())
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, encryption))
    return cert_path, key_path, subject, key


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    ca, _ca_key_path, ca_name, ca_key = _pem_pair(tmp_path, "ca")
    cert, key, _, _ = _pem_pair(tmp_path, "client", (ca_name, ca_key), key_password=b"kp")
    return {"ca": ca, "cert": cert, "key": key}


def test_defaults_are_plaintext() -> None:
    security = load_security({})
    assert security.aiokafka_kwargs() == {"security_protocol": "PLAINTEXT"}
    assert security.faust_credentials() is None
    assert security.source == "defaults"


def test_sasl_ssl_from_environment_builds_a_verifying_context(pki: dict[str, Path]) -> None:
    security = load_security({**SASL_ENV, "LOGWARDEN_SSL_CA_LOCATION": str(pki["ca"])})
    kwargs = security.aiokafka_kwargs()
    assert kwargs["security_protocol"] == "SASL_SSL"
    assert kwargs["sasl_mechanism"] == "SCRAM-SHA-512"
    assert kwargs["sasl_plain_username"] == "worker"
    assert kwargs["sasl_plain_password"] == SECRET
    context = kwargs["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname  # on unless switched off by name
    credentials = security.faust_credentials()
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.protocol.value == "SASL_SSL"
    assert credentials.mechanism.value == "SCRAM-SHA-512"


def test_mutual_tls_loads_the_client_certificate(pki: dict[str, Path]) -> None:
    env = {"LOGWARDEN_SECURITY_PROTOCOL": "SSL", "LOGWARDEN_SSL_CA_LOCATION": str(pki["ca"]),
           "LOGWARDEN_SSL_CERTIFICATE_LOCATION": str(pki["cert"]),
           "LOGWARDEN_SSL_KEY_LOCATION": str(pki["key"]), "LOGWARDEN_SSL_KEY_PASSWORD": "kp"}
    assert isinstance(load_security(env).aiokafka_kwargs()["ssl_context"], ssl.SSLContext)
    assert isinstance(load_security(env).faust_credentials(), faust.SSLCredentials)
    with pytest.raises(SecurityError, match=r"ssl\.key\.password") as wrong:
        load_security({**env, "LOGWARDEN_SSL_KEY_PASSWORD": "not-it"}).ssl_context()
    assert "not-it" not in str(wrong.value)


def test_hostname_verification_is_switched_off_only_by_name(pki: dict[str, Path]) -> None:
    env = {"LOGWARDEN_SECURITY_PROTOCOL": "SSL", "LOGWARDEN_SSL_CA_LOCATION": str(pki["ca"])}
    for off in ("none", ""):
        props = pki["ca"].parent / "c.properties"
        props.write_text(f"ssl.endpoint.identification.algorithm={off}\n")
        security = load_security(env, props)
        assert not security.ssl_context().check_hostname
        assert "hostname NOT verified" in security.describe()


def test_client_properties_with_jaas_and_environment_override(tmp_path: Path,
                                                              pki: dict[str, Path]) -> None:
    props = tmp_path / "client.properties"
    props.write_text(
        "# a Java client's file\n"
        "security.protocol = SASL_SSL\n"
        "sasl.mechanism: SCRAM-SHA-256\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
        f'    username="privacy" password="{SECRET}";\n'
        f"ssl.truststore.type=PEM\nssl.truststore.location={pki['ca']}\n"
        "client.id=ignored\n")
    security = load_security({"LOGWARDEN_CLIENT_CONFIG": str(props)})
    assert (security.sasl_mechanism, security.sasl_username) == ("SCRAM-SHA-256", "privacy")
    assert security.sasl_password is not None
    assert security.sasl_password.get_secret_value() == SECRET
    assert security.ssl_ca_location == pki["ca"]
    overridden = load_security({"LOGWARDEN_SASL_MECHANISM": "SCRAM-SHA-512"}, props)
    assert overridden.sasl_mechanism == "SCRAM-SHA-512"
    assert "LOGWARDEN_* environment" in overridden.source


def test_password_file(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text(SECRET + "\n")
    env = {**SASL_ENV, "LOGWARDEN_SASL_PASSWORD": "", "LOGWARDEN_SASL_PASSWORD_FILE": str(secret)}
    security = load_security(env)
    assert security.aiokafka_kwargs()["sasl_plain_password"] == SECRET
    with pytest.raises(SecurityError, match="LOGWARDEN_SASL_PASSWORD_FILE: cannot read"):
        load_security({**env, "LOGWARDEN_SASL_PASSWORD_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(("env", "setting"), [
    ({"LOGWARDEN_SECURITY_PROTOCOL": "SASL_SSL"}, "sasl.mechanism"),
    ({**SASL_ENV, "LOGWARDEN_SASL_USERNAME": ""}, "sasl.username"),
    ({**SASL_ENV, "LOGWARDEN_SASL_PASSWORD": ""}, "sasl.password"),
    ({**SASL_ENV, "LOGWARDEN_SASL_MECHANISM": "GSSAPI"}, "sasl.mechanism"),
    ({**SASL_ENV, "LOGWARDEN_SECURITY_PROTOCOL": "TLS"}, "security.protocol"),
    ({**SASL_ENV, "LOGWARDEN_SECURITY_PROTOCOL": "PLAINTEXT"}, "security.protocol"),
    ({"LOGWARDEN_SSL_CA_LOCATION": "/ca.pem"}, "security.protocol"),
    ({"LOGWARDEN_SECURITY_PROTOCOL": "SSL", "LOGWARDEN_SSL_KEY_LOCATION": "/k.pem"},
     "ssl.certificate.location"),
    ({"LOGWARDEN_SECURITY_PROTOCOL": "SSL",
      "LOGWARDEN_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM": "maybe"},
     "ssl.endpoint.identification.algorithm"),
])
def test_bad_settings_name_the_setting_never_the_secret(env: dict[str, str],
                                                        setting: str) -> None:
    with pytest.raises(SecurityError) as caught:
        load_security(env)
    message = str(caught.value)
    assert setting in message
    assert SECRET not in message


@pytest.mark.parametrize(("line", "setting"), [
    ("ssl.truststore.location=/x.jks", "ssl.truststore.type"),
    ("ssl.keystore.type=PKCS12\nssl.keystore.location=/x.p12", "ssl.keystore.type"),
    ("sasl.login.callback.handler.class=x.Y", "sasl.login.callback.handler.class"),
    ("ssl.cipher.suites=TLS_AES_128_GCM_SHA256", "ssl.cipher.suites"),
])
def test_unsupported_security_properties_are_refused(tmp_path: Path, line: str,
                                                     setting: str) -> None:
    props = tmp_path / "c.properties"
    props.write_text("security.protocol=SSL\n" + line + "\n")
    with pytest.raises(SecurityError, match=setting.replace(".", r"\.")):
        load_security({}, props)


def test_unreadable_ca_names_the_setting(tmp_path: Path) -> None:
    security = load_security({"LOGWARDEN_SECURITY_PROTOCOL": "SSL",
                              "LOGWARDEN_SSL_CA_LOCATION": str(tmp_path / "nope.pem")})
    with pytest.raises(SecurityError, match=r"ssl\.ca\.location: cannot use .*nope\.pem"):
        security.aiokafka_kwargs()


def test_secrets_stay_out_of_reprs_and_descriptions(pki: dict[str, Path]) -> None:
    security = load_security({**SASL_ENV, "LOGWARDEN_SSL_CA_LOCATION": str(pki["ca"])})
    from streams.settings import Settings

    settings = Settings(security=security)
    for text in (repr(security), str(security), security.describe(), repr(settings),
                 settings.model_dump_json(), repr(security.faust_credentials())):
        assert SECRET not in text
    assert security.describe().startswith("SASL_SSL, SCRAM-SHA-512 as worker")


def test_settings_read_security_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from streams.settings import Settings

    for name, value in SASL_ENV.items():
        monkeypatch.setenv(name, value)
    assert Settings().security.security_protocol == "SASL_SSL"


def test_no_command_takes_a_password_flag() -> None:
    runner = CliRunner()
    for path in (["consent", "set"], ["forget"], ["correct"], ["export"], ["lag"],
                 ["topics", "create"], ["topics", "check"], ["acls", "apply"],
                 ["acls", "check"], ["worker"]):
        result = runner.invoke(cli, [*path, "--help"], env=SASL_ENV)
        assert result.exit_code == 0, path
        assert "--client-config" in result.output
        assert "--password" not in result.output
        assert "--sasl" not in result.output
        assert SECRET not in result.output


def test_cli_reports_a_bad_client_config_in_one_line(tmp_path: Path) -> None:
    props = tmp_path / "c.properties"
    props.write_text(f"security.protocol=SASL_SSL\nsasl.password={SECRET}\n")
    result = CliRunner().invoke(cli, ["topics", "check", "--client-config", str(props)])
    assert result.exit_code == 1
    assert "sasl.mechanism: required" in result.output
    assert SECRET not in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("a=1\nb = 2\n", {"a": "1", "b": "2"}),
    ("# c\n! c\n\na: x y\n", {"a": "x y"}),
    ("a=one \\\n   two\n", {"a": "one two"}),
    ("a b\n", {"a": "b"}),
])
def test_parse_properties(text: str, expected: dict[str, str]) -> None:
    assert parse_properties(text) == expected


def test_settings_object_is_frozen() -> None:
    security = ClientSecurity()
    with pytest.raises(Exception, match="frozen"):
        security.security_protocol = "SSL"  # type: ignore[misc]
