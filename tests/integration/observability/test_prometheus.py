"""The alert rules pass promtool, and a real Prometheus fires the lag alert when the
worker stops consuming while events keep arriving."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from tests.conftest import free_port
from tests.integration.observability.helpers import (
    SteadyProducer,
    create_spec_topics,
    http_get,
    require_tool,
    status_json,
    wait_until,
    web_url,
    worker_env,
)
from tests.kafkit import REPO

RULES = REPO / "deploy/prometheus/alerts.yml"
LAG_ALERT = "LogwardenTimeLagHigh"


@pytest.mark.prometheus
def test_promtool_checks_the_rules():
    promtool = require_tool("promtool")
    result = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.prometheus
def test_promtool_unit_tests_of_the_rules():
    promtool = require_tool("promtool")
    result = subprocess.run([promtool, "test", "rules", str(RULES.with_name("alerts_test.yml"))],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dashboard_is_grafana_json():
    dashboard = json.loads((REPO / "deploy/grafana/logwarden.json").read_text())
    assert dashboard["uid"] == "logwarden"
    assert all(panel["targets"] for panel in dashboard["panels"])


def fast_rules(tmp: Path) -> Path:
    """A test copy: the same rules, with short `for:` and a 5 s time-lag threshold."""
    rules = yaml.safe_load(RULES.read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "2s"
            if rule["alert"] == LAG_ALERT:
                rule["expr"] = rule["expr"].replace("> 300", "> 5")
                assert "> 5" in rule["expr"]
    path = tmp / "rules.yml"
    path.write_text(yaml.safe_dump(rules))
    return path


class Prometheus:
    """A real Prometheus server on a random loopback port, config and data in tmp."""

    def __init__(self, tmp: Path, targets: dict[str, str]) -> None:
        self.port = free_port()
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s",
                       "scrape_timeout": "900ms"},
            "rule_files": [str(fast_rules(tmp))],
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [target]}]}
                               for job, target in targets.items()],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        self.log = (tmp / "prometheus.log").open("wb")
        self.proc = subprocess.Popen(
            [require_tool("prometheus"), f"--config.file={tmp / 'prometheus.yml'}",
             f"--storage.tsdb.path={tmp / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def api(self, path: str, **params: str) -> Any:
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        code, body = http_get(f"http://127.0.0.1:{self.port}/api/v1/{path}{query}")
        assert code == 200, body
        return orjson.loads(body)["data"]

    def alert_state(self, name: str, **labels: str) -> str:
        for alert in self.api("alerts")["alerts"]:
            if alert["labels"].get("alertname") == name and all(
                    alert["labels"].get(k) == v for k, v in labels.items()):
                return str(alert["state"])
        return "inactive"

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def steady_inactive(prom: Prometheus, group: str, seconds: int = 5) -> bool:
    for _ in range(seconds * 2):
        if prom.alert_state(LAG_ALERT, group=group) != "inactive":
            return False
        time.sleep(0.5)
    return True


@pytest.fixture
def lag_exporter(kafka_bootstrap: str, topic_prefix: str,
                 tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`logwarden lag --serve`: the sampler outside the worker, as SREs would run it."""
    port = free_port()
    log = (tmp_path / "lag-exporter.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams", "lag", "--broker", f"kafka://{kafka_bootstrap}",
         "--group", f"{topic_prefix}app", "--topic-prefix", topic_prefix,
         "--serve", str(port), "--interval", "1"], stdout=log, stderr=subprocess.STDOUT)
    yield f"127.0.0.1:{port}", proc
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.mark.kafka
@pytest.mark.prometheus
def test_lag_alert_fires_when_the_worker_stops(kafka_bootstrap, topic_prefix, worker_factory,
                                               lag_exporter, tmp_path):
    group = f"{topic_prefix}app"
    create_spec_topics(kafka_bootstrap, topic_prefix, f"{topic_prefix}app")
    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", group,
                            env=worker_env())
    exporter, _ = lag_exporter
    wait_until("the worker to be ready", lambda: http_get(f"{web_url(worker)}/readyz")[0] == 200,
               worker=worker)
    prom = Prometheus(tmp_path, {"logwarden": web_url(worker).removeprefix("http://"),
                                 "logwarden-lag": exporter})
    try:
        with SteadyProducer(kafka_bootstrap, f"{topic_prefix}logs.raw") as producer:
            wait_until("the worker to consume", lambda: status_json(worker)["throughput"][
                "events_in_total"] > 20, worker=worker)
            wait_until("Prometheus to scrape time lag from both", lambda: len(prom.api(
                "query", query=f'kafka_consumergroup_group_max_lag_seconds{{group="{group}"}}')[
                "result"]) == 2)
            # Consuming: once startup's backlog is gone, the alert stays inactive.
            wait_until("5 s of an inactive lag alert", lambda: steady_inactive(prom, group))

            assert worker.proc is not None
            worker.proc.send_signal(signal.SIGSTOP)  # frozen: no fetch, no commit, no scrape
            try:
                seen = {prom.alert_state(LAG_ALERT, group=group)}
                deadline = time.monotonic() + 90
                while "firing" not in seen and time.monotonic() < deadline:
                    time.sleep(0.5)
                    seen.add(prom.alert_state(LAG_ALERT, group=group))
                assert "firing" in seen, f"states seen: {seen}; sent {producer.sent}"
                assert "pending" in seen  # inactive -> pending -> firing
                wait_until("WorkerDown from the failed scrapes",
                           lambda: prom.alert_state("LogwardenWorkerDown") != "inactive")
                value = prom.api("query", query=f'max(kafka_consumergroup_group_lag_seconds'
                                                f'{{group="{group}",job="logwarden-lag"}})')
                assert float(value["result"][0]["value"][1]) > 5
            finally:
                worker.proc.send_signal(signal.SIGCONT)
    finally:
        prom.stop()
