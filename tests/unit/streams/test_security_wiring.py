"""Every Kafka client logwarden builds takes the security settings (no plaintext stragglers)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CLIENTS = {"AIOKafkaConsumer", "AIOKafkaProducer", "AIOKafkaAdminClient"}
SOURCES = sorted([*REPO.glob("streams/**/*.py"), REPO / "deploy" / "demo.py"])


def _client_calls(path: Path) -> list[ast.Call]:
    calls = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in CLIENTS:
                calls.append(node)
    return calls


def _takes_security(call: ast.Call) -> bool:
    return any(kw.arg is None and isinstance(kw.value, ast.Call)
               and getattr(kw.value.func, "attr", None) == "aiokafka_kwargs"
               for kw in call.keywords)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_client_is_built_with_aiokafka_kwargs(path: Path) -> None:
    missing = [call.lineno for call in _client_calls(path) if not _takes_security(call)]
    assert not missing, f"{path.name}: clients without **security.aiokafka_kwargs() at {missing}"


def test_the_scan_finds_the_clients() -> None:
    assert sum(len(_client_calls(path)) for path in SOURCES) >= 12


def test_the_faust_app_gets_credentials() -> None:
    source = (REPO / "streams" / "app.py").read_text()
    assert "broker_credentials=settings.security.faust_credentials()" in source
