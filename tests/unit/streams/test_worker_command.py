"""`logwarden worker`: a flag overrides the environment only when it is given."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from streams.commands import worker as worker_module
from streams.settings import Settings


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Settings]:
    seen: list[Settings] = []

    def fake_run(settings: Settings, loglevel: str) -> None:
        seen.append(settings)

    monkeypatch.setattr(worker_module, "_run", fake_run)
    return seen


def run(args: list[str], env: dict[str, Any]) -> Any:
    return CliRunner().invoke(worker_module.worker, args, env=env)


def test_the_environment_applies_when_no_flag_is_given(captured):
    result = run([], {"LOGWARDEN_PARTITIONS": "8", "LOGWARDEN_EXACTLY_ONCE": "true",
                      "LOGWARDEN_WEB_PORT": "7001"})
    assert result.exit_code == 0, result.output
    assert (captured[0].partitions, captured[0].exactly_once, captured[0].web_port) == (
        8, True, 7001)


def test_a_given_flag_overrides_the_environment(captured):
    result = run(["--partitions", "6", "--at-least-once"],
                 {"LOGWARDEN_PARTITIONS": "8", "LOGWARDEN_EXACTLY_ONCE": "true"})
    assert result.exit_code == 0, result.output
    assert (captured[0].partitions, captured[0].exactly_once) == (6, False)


def test_bad_settings_are_a_clear_error_without_a_traceback(captured):
    result = run([], {"LOGWARDEN_PARTITIONS": "zero"})
    assert result.exit_code != 0
    assert "partitions" in result.output
    assert "Traceback" not in result.output
    assert captured == []
