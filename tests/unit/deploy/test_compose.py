"""deploy/compose validates against the Compose Specification's JSON Schema (vendored from
compose-spec/compose-spec, Apache-2.0) and gives logwarden only what it accepts. Nothing
here runs Docker: the stack is not started in CI."""

from __future__ import annotations

from typing import Any

import jsonschema
import orjson
import pytest
import yaml

from tests.kafkit import REPO
from tests.unit.deploy import accepted

COMPOSE = REPO / "deploy" / "compose"


def load() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    return data


def test_compose_file_matches_the_compose_spec_schema() -> None:
    schema = orjson.loads((COMPOSE / "compose-spec.schema.json").read_bytes())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator.iter_errors(load())]
    assert not errors, errors
    broken = {**load(), "services": {"worker": {"image": "x", "restart_policy": "always"}}}
    assert list(validator.iter_errors(broken)), "the schema must reject unknown keys"


def test_the_stack_has_every_part() -> None:
    assert set(load()["services"]) == {"kafka", "worker", "lag", "prometheus", "grafana"}


@pytest.mark.parametrize(("service", "command"), [("worker", "worker"), ("lag", "lag")])
def test_logwarden_services_get_only_accepted_settings(service: str, command: str) -> None:
    spec = load()["services"][service]
    name, *args = spec["command"]
    assert name == command
    accepted.parse_args(command, args)
    unknown = set(spec["environment"]) - accepted.command_env(command)
    assert not unknown, f"logwarden {command} reads no such variable: {sorted(unknown)}"
    secrets = set(spec.get("secrets", []))
    for key, value in spec["environment"].items():
        if value.startswith("/run/secrets/"):
            assert value.removeprefix("/run/secrets/") in secrets, key
    assert not {k for k in spec["environment"] if k.endswith(("_KEY", "_KEYS", "_PASSWORD"))}


def test_bind_mounts_and_files_exist() -> None:
    for service in load()["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE / source).resolve().is_file(), source
        build = service.get("build")
        if build:
            assert (COMPOSE / build["context"] / build["dockerfile"]).resolve().is_file()


def test_prometheus_scrapes_the_jobs_the_alerts_name() -> None:
    config = yaml.safe_load((COMPOSE / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job["static_configs"][0]["targets"]
            for job in config["scrape_configs"]}
    port = load()["services"]["worker"]["environment"]["LOGWARDEN_WEB_PORT"]
    assert jobs["logwarden"] == [f"worker:{port}"]
    assert jobs["logwarden-lag"] == ["lag:9308"]
    assert 'job="logwarden"' in (REPO / "deploy" / "prometheus" / "alerts.yml").read_text()


def test_key_files_stay_out_of_git() -> None:
    ignore = (COMPOSE / "secrets" / ".gitignore").read_text().split()
    assert ignore == ["*", "!.gitignore"]
    assert all(s["file"].startswith("./secrets/") for s in load()["secrets"].values())
