"""Safe files and configuration (issue 10): hostile policies, key files, output paths."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from redactors.errors import MissingKeyError, PolicyError
from redactors.policy import default_policy_path, load_policy
from redactors.pseudonym import PseudonymKeyring
from streams.cli import cli

EVENT = b'{"user_id":"u-1","email":"ada@example.com","message":"x"}\n'
KEY_A = base64.b64encode(b"a" * 32).decode()
KEY_B = base64.b64encode(b"b" * 32).decode()


def _laughs(levels: int, width: int) -> str:
    lines = ['l0: &l0 "ha"']
    for level in range(1, levels + 1):
        refs = ", ".join(f"*l{level - 1}" for _ in range(width))
        lines.append(f"l{level}: &l{level} [{refs}]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("text", "reason", "line"), [
    (_laughs(9, 9), "aliases expand to more than", 6),  # l5: 9^5 nodes
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "nested deeper than", 1),
    ("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 40)), "nested deeper than", 16),
])
def test_hostile_policy_yaml_is_a_file_line_error(tmp_path: Path, text: str, reason: str,
                                                  line: int) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(policy)
    assert f"{policy}:{line}: $: YAML: {reason}" in str(caught.value)
    checked = CliRunner().invoke(cli, ["policy", "check", str(policy)])
    assert checked.exit_code == 1
    assert reason in checked.stderr
    assert "Traceback" not in checked.output


def test_a_few_aliases_are_still_fine(tmp_path: Path) -> None:
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace("  gpc_paths: [gpc,", "  gpc_paths: &gpc [gpc,", 1)
    text = text.replace("  dnt_paths: [dnt, headers.dnt, headers.DNT, request.headers.dnt]",
                        "  dnt_paths: *gpc", 1)
    policy = tmp_path / "p.yaml"
    policy.write_text(text, encoding="utf-8")
    loaded = load_policy(policy)
    assert loaded.dnt_paths == loaded.gpc_paths == load_policy().gpc_paths


def _key_file(path: Path, text: bytes, mode: int = 0o600) -> str:
    path.write_bytes(text)
    path.chmod(mode)
    return str(path)


@pytest.mark.parametrize(("content", "mode", "message"), [
    (f"k1:{KEY_A}\n".encode(), 0o644, "open to group or others (mode 0644); chmod 600"),
    (f"k1:{KEY_A}\n".encode(), 0o640, "mode 0640"),
    (b"k1:\xff\xfe\n", 0o600, "key file is not UTF-8 text"),
    (f"k1:{KEY_A}\nk1:{KEY_B}\n".encode(), 0o600, "key id 'k1' appears twice"),
])
def test_bad_key_files_are_clear_errors(tmp_path: Path, content: bytes, mode: int,
                                        message: str) -> None:
    path = _key_file(tmp_path / "keys", content, mode)
    with pytest.raises(MissingKeyError, match=message.replace("(", r"\(").replace(")", r"\)")):
        PseudonymKeyring.from_env({}, path)


def test_a_key_file_with_a_bom_and_the_first_line_current(tmp_path: Path) -> None:
    path = _key_file(tmp_path / "keys", f"\ufeffk2:{KEY_B}\nk1:{KEY_A}\n".encode())
    ring = PseudonymKeyring.from_env({}, path)
    assert (ring.current_id, ring.current) == ("k2", b"b" * 32)


def _redact(*args: str, stdin: bytes = EVENT) -> Result:
    return CliRunner().invoke(cli, ["redact", *args, "--quiet"], input=stdin,
                              env={"LOGWARDEN_PSEUDONYM_KEYS": ""})


def test_redact_refuses_an_output_directory_holding_its_input(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    source = out / "analytics.jsonl"
    source.write_bytes(EVENT)
    for target in (out, tmp_path / "out" / "."):
        done = _redact(str(source), "--out", str(target))
        assert done.exit_code != 0
        assert "the input is inside the output directory" in done.stderr
        assert source.read_bytes() == EVENT  # untouched


def test_files_holding_keys_or_raw_input_are_owner_only(tmp_path: Path) -> None:
    keys = tmp_path / "data.keys"
    keys.write_bytes(b"old\n")
    keys.chmod(0o644)  # an existing, readable file must not stay readable
    done = _redact("-", "--out", str(tmp_path / "out"), "--data-keys", str(keys),
                   "--deadletter-raw", stdin=EVENT + b'{"broken": \n')
    assert done.exit_code == 0, done.stderr
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert b"u-1" in keys.read_bytes()
    dead = tmp_path / "out" / "deadletter.jsonl"
    assert b'"raw"' in dead.read_bytes()
    assert stat.S_IMODE(dead.stat().st_mode) == 0o600


def test_redact_refuses_data_keys_over_its_input(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(EVENT)
    done = _redact(str(source), "--out", str(tmp_path / "out"), "--data-keys", str(source))
    assert done.exit_code != 0
    assert "--data-keys would overwrite" in done.stderr
    assert source.read_bytes() == EVENT


def test_a_consent_file_may_start_with_a_bom(tmp_path: Path) -> None:
    consent = tmp_path / "consent.jsonl"
    consent.write_bytes(b'\xef\xbb\xbf{"subject_id":"u-1","analytics":true,"profiling":true}\n')
    done = _redact("-", "--out", str(tmp_path / "out"), "--consent", str(consent))
    assert done.exit_code == 0, done.stderr
    assert "analytics: 1" in done.stdout
