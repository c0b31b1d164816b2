"""`logwarden redact` and `logwarden policy`, run through click's runner."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from redactors.pseudonym import PseudonymKeyring
from streams.cli import cli

LINES = [
    b'{"ts":"2026-11-25T10:00:01Z","user_id":"u-1","ip":"81.2.69.160","email":"ada@example.com",'
    b'"message":"hello from ada@example.com"}',
    b'{"ts":"2026-11-25T10:00:02Z","user_id":"u-2","birth_year":2014,"message":"kid"}',
    b'{"ts":"2026-11-25T10:00:03Z","user_id":"u-3","message":"gone"}',
    b"Jan 12 06:25:43 web-7 sshd[2211]: Failed password for admin from 81.2.69.160 port 22",
    b'{"broken": ',
    b"",
    b'{"a": 1, "a": 2}',
]
CONSENT = [
    b'{"subject_id":"u-1","analytics":true,"profiling":true,"marketing":false}',
    b'{"subject_id":"u-3","analytics":true,"profiling":true,"marketing":true,"erased":true}',
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    events = tmp_path / "events.jsonl"
    events.write_bytes(b"\n".join(LINES) + b"\n")
    consent = tmp_path / "consent.jsonl"
    consent.write_bytes(b"\n".join(CONSENT) + b"\n")
    return events, consent


def test_redact_routes_every_line(tmp_path: Path, files: tuple[Path, Path]) -> None:
    events, consent = files
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["redact", str(events), "--out", str(out), "--consent",
                                      str(consent)], env={"LOGWARDEN_PSEUDONYM_KEYS": ""})
    assert result.exit_code == 0, result.output
    assert "ephemeral" in result.stderr
    assert "events: 6" in result.stdout
    assert "  analytics: 2" in result.stdout
    assert "  deadletter: 2" in result.stdout
    assert "    invalid_json: 1" in result.stdout
    assert "    duplicate_key: 1" in result.stdout
    assert "    child: 1" in result.stdout
    assert "    erased: 1" in result.stdout
    assert "user.contact.email:" in result.stdout
    analytics = (out / "analytics.jsonl").read_bytes()
    assert b"ada@example.com" not in analytics
    assert b"81.2.69.160" not in analytics
    first = orjson.loads(analytics.splitlines()[0])
    assert first["_privacy"]["tier"] == "full"
    assert len((out / "identifiable.jsonl").read_bytes().splitlines()) == 1
    dead = [orjson.loads(line) for line in (out / "deadletter.jsonl").read_bytes().splitlines()]
    assert [d["reason"] for d in dead] == ["invalid_json", "duplicate_key"]
    assert all("raw" not in d for d in dead)


def test_redact_reads_stdin_and_a_key_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(PseudonymKeyring.generate_line("k9") + "\n", encoding="utf-8")
    keys.chmod(0o600)
    result = CliRunner().invoke(
        cli, ["redact", "-", "--out", str(tmp_path / "o"), "--keys", str(keys), "--quiet"],
        input=b'{"user_id":"u-1","session_id":"s-123456","message":"x"}\n',
        env={"LOGWARDEN_PSEUDONYM_KEYS": ""})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "events: 1" in result.stdout


@pytest.mark.parametrize(("args", "env", "message"), [
    (["redact", "missing.jsonl", "--out", "o"], {}, "missing.jsonl: cannot read"),
    (["redact", "-", "--out", "o", "--keys", "nokeys"], {}, "nokeys: cannot read key file"),
    (["redact", "-", "--out", "o"], {"LOGWARDEN_PSEUDONYM_KEYS": "kid-only"}, "kid:base64key"),
    (["redact", "-", "--out", "o", "--policy", "nopolicy.yaml"], {}, "nopolicy.yaml"),
    (["redact", "-", "--out", "o", "--consent", "noconsent.jsonl"], {}, "noconsent.jsonl"),
])
def test_user_mistakes_are_one_line_errors(tmp_path: Path, args: list[str], env: dict[str, str],
                                           message: str) -> None:
    with CliRunner().isolated_filesystem(temp_dir=tmp_path):
        result = CliRunner().invoke(cli, args, input=b"", env={"LOGWARDEN_PSEUDONYM_KEYS": "",
                                                                **env})
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_consent_line_names_file_line_and_field(tmp_path: Path) -> None:
    consent = tmp_path / "c.jsonl"
    consent.write_text('{"subject_id": "u-1", "analytics": "yes"}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["redact", "-", "--out", str(tmp_path / "o"), "--consent",
                                      str(consent)], input=b"")
    assert result.exit_code == 1
    assert f"{consent}:1: analytics: not a boolean" in result.stderr


def test_policy_check_and_explain(tmp_path: Path) -> None:
    from redactors.policy import default_policy_path

    runner = CliRunner()
    ok = runner.invoke(cli, ["policy", "check", str(default_policy_path())])
    assert ok.exit_code == 0
    assert ": ok" in ok.stdout
    broken = tmp_path / "p.yaml"
    broken.write_text(default_policy_path().read_text(encoding="utf-8").replace(
        "[IP_ADDRESS]", "[IPADDR]"), encoding="utf-8")
    bad = runner.invoke(cli, ["policy", "check", str(broken)])
    assert bad.exit_code == 1
    assert f"{broken}:" in bad.stderr
    assert "unknown detector 'IPADDR'" in bad.stderr
    table = runner.invoke(cli, ["policy", "explain"])
    assert table.exit_code == 0
    assert "user.device.ip_address" in table.stdout
    assert "ip_network +id" in table.stdout
    assert "honor_dnt=false" in table.stdout


def test_data_keys_file_decrypts_the_identifiable_records(tmp_path: Path,
                                                         files: tuple[Path, Path]) -> None:
    import base64

    from redactors.sealing import decrypt_identifiable

    events, consent = files
    keys_file = tmp_path / "data-keys.jsonl"
    result = CliRunner().invoke(cli, ["redact", str(events), "--out", str(tmp_path / "o"),
                                      "--consent", str(consent), "--data-keys", str(keys_file),
                                      "--quiet"])
    assert result.exit_code == 0, result.output
    assert keys_file.stat().st_mode & 0o077 == 0
    keys = {d["subject_id"]: base64.b64decode(d["key"])
            for d in map(orjson.loads, keys_file.read_bytes().splitlines())}
    records = [orjson.loads(x) for x in (tmp_path / "o" / "identifiable.jsonl").read_bytes()
               .splitlines()]
    assert records
    for record in records:
        fields = decrypt_identifiable(record, keys[record["subject_id"]])["fields"]
        assert fields["email"] == "ada@example.com"


def test_gzip_input_and_byte_order_mark(tmp_path: Path) -> None:
    import gzip

    source = tmp_path / "events.jsonl.gz"
    source.write_bytes(gzip.compress(b'\xef\xbb\xbf{"name": "Jane Doe", "ip": "81.2.69.160"}\n'))
    out = tmp_path / "o"
    result = CliRunner().invoke(cli, ["redact", str(source), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    analytics = orjson.loads((out / "analytics.jsonl").read_bytes())
    assert analytics["ip"] == {"country": "GB"}
    assert "name" not in analytics
    broken = tmp_path / "broken.gz"
    broken.write_bytes(source.read_bytes()[:12])
    bad = CliRunner().invoke(cli, ["redact", str(broken), "--out", str(out), "--quiet"])
    assert bad.exit_code == 1
    assert "cannot read" in bad.stderr


def test_worker_processes_give_the_same_routes_in_order(tmp_path: Path,
                                                         files: tuple[Path, Path]) -> None:
    events, consent = files
    big = tmp_path / "big.jsonl"
    big.write_bytes(events.read_bytes() * 600)
    outputs = []
    env = {"LOGWARDEN_PSEUDONYM_KEYS": PseudonymKeyring.generate_line("k1")}
    for workers in ("1", "2"):
        out = tmp_path / f"o{workers}"
        result = CliRunner().invoke(cli, ["redact", str(big), "--out", str(out), "--consent",
                                          str(consent), "--workers", workers, "--quiet"],
                                    env=env)
        assert result.exit_code == 0, result.output
        outputs.append((result.stdout, (out / "analytics.jsonl").read_bytes(),
                        (out / "deadletter.jsonl").read_bytes()))
    assert outputs[0] == outputs[1]
