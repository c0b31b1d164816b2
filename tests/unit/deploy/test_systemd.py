"""deploy/systemd: `systemd-analyze verify` accepts the units with their drop-ins, they
hold the hardening the issue asks for, and they give the commands only what those accept.

systemd-analyze comes with Debian's systemd package (deploy/system-packages.sh installs it
where it is missing); the test does not skip without it.
"""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kafkit import REPO
from tests.unit.deploy import accepted

SYSTEMD = REPO / "deploy" / "systemd"
UNITS = {"logwarden-worker.service": "worker", "logwarden-lag.service": "lag"}
INSTALL_PREFIX = "/opt/logwarden/venv"  # where the units expect logwarden; see README


def unit(name: str, *, dropins: bool = True) -> dict[str, list[tuple[str, str]]]:
    """Section -> (key, value) in order; repeated keys kept (configparser cannot)."""
    files = [SYSTEMD / name]
    if dropins:
        files += sorted((SYSTEMD / f"{name}.d").glob("*.conf"))
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for path in files:
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                current = line.strip("[]")
                sections.setdefault(current, [])
                continue
            key, _, value = line.partition("=")
            sections[current].append((key, value))
    return sections


def values(name: str, key: str, section: str = "Service") -> list[str]:
    return [v for k, v in unit(name)[section] if k == key]


def verify(tmp_path: Path, *, broken_dropin: str = "") -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` on a copy of deploy/systemd (drop-ins found through
    $SYSTEMD_UNIT_PATH), ExecStart pointed at this venv: verify checks the program exists."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: run deploy/system-packages.sh"
    shutil.copytree(SYSTEMD, tmp_path, dirs_exist_ok=True)
    venv = str(Path(sys.executable).parent.parent)
    assert (Path(venv) / "bin" / "logwarden").exists()
    for name in UNITS:
        path = tmp_path / name
        path.write_text(path.read_text().replace(INSTALL_PREFIX, venv))
    if broken_dropin:
        with (tmp_path / "logwarden-worker.service.d" / "sasl.conf").open("a") as conf:
            conf.write(broken_dropin)
    return subprocess.run([analyze, "verify", "--man=no", *UNITS],
                          env={"SYSTEMD_UNIT_PATH": f"{tmp_path}:", "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60, check=False)


def test_systemd_analyze_verify_accepts_the_units(tmp_path: Path) -> None:
    result = verify(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr  # warnings (unknown keys) count too


def test_verify_catches_a_broken_unit(tmp_path: Path) -> None:
    """The check above can fail: an unknown key in a drop-in is reported."""
    assert "LoadCredentials" in verify(tmp_path, broken_dropin="LoadCredentials=typo\n").stderr


@pytest.mark.parametrize("name", sorted(UNITS))
def test_units_are_hardened(name: str) -> None:
    service = dict(unit(name)["Service"])
    assert service["DynamicUser"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["NoNewPrivileges"] == "yes"
    assert service["Restart"] in ("on-failure", "always")
    assert service["CapabilityBoundingSet"] == ""
    assert service["UMask"] == "0077"


@pytest.mark.parametrize("name", sorted(UNITS))
def test_secrets_come_as_credentials(name: str) -> None:
    """Every key or password file the service reads is a LoadCredential= (%d/...), and
    no secret value sits in the unit."""
    credentials = {v.split(":", 1)[0] for v in values(name, "LoadCredential")}
    env = dict(e.split("=", 1) for e in values(name, "Environment"))
    secret_files = {k: v for k, v in env.items() if "KEY_FILE" in k or "PASSWORD_FILE" in k}
    assert secret_files
    for key, path in secret_files.items():
        assert path.startswith("%d/"), key
        assert path.removeprefix("%d/") in credentials, key
    assert not {k for k in env if k.endswith(("_KEY", "_KEYS", "_PASSWORD"))}


@pytest.mark.parametrize(("name", "command"), sorted(UNITS.items()))
def test_units_give_only_accepted_settings(name: str, command: str) -> None:
    env = dict(e.split("=", 1) for e in values(name, "Environment"))
    unknown = set(env) - accepted.command_env(command)
    assert not unknown, f"logwarden {command} reads no such variable: {sorted(unknown)}"
    (exec_start,) = values(name, "ExecStart")
    argv = shlex.split(exec_start)
    assert argv[0] == f"{INSTALL_PREFIX}/bin/logwarden"
    assert argv[1] == command
    accepted.parse_args(command, argv[2:])
    for key, value in env.items():  # state under StateDirectory=, config under /etc
        if key.endswith("_DIR"):
            assert value == "%S/" + values(name, "StateDirectory")[0]
        elif key.endswith(("_PATH", "_CONFIG")):
            assert re.fullmatch(r"/etc/logwarden/[\w.-]+", value), value


def test_the_unit_files_parse_as_ini() -> None:
    """No duplicate sections or stray text (configparser is stricter about layout)."""
    for path in [*SYSTEMD.glob("*.service"), *SYSTEMD.glob("*.d/*.conf")]:
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.read_string(path.read_text())
        assert parser.sections()
