"""Re-identification risk on the real broker: a worker with suppression on keeps a rare
combination out of analytics, exports the window's k-anonymity as metrics, forgets an
erased subject; `logwarden risk` measures the analytics topic the same way."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from redactors.consent import ConsentState
from redactors.policy import default_policy_path
from schemas.consent import encode_consent
from streams.topics import TopicNames
from tests.integration.observability.helpers import (
    create_spec_topics,
    http_get,
    metric_value,
    wait_until,
    web_url,
    worker_env,
)
from tests.integration.pipeline_kit import produce_keyed
from tests.kafkit import consume, produce

pytestmark = pytest.mark.kafka

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/120.0.0.0 Safari/537.36")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
COMMON = [f"common-{n}" for n in range(8)]  # never a substring of a hex topic prefix


def _event(subject: str) -> bytes:
    rare = subject == "rare"
    return orjson.dumps({
        "ts": "2026-11-30T10:15:00Z", "user_id": subject, "event": "page_view",
        "geo": {"city": "Tallinn" if rare else "Berlin", "country": "EE" if rare else "DE"},
        "user_agent": FIREFOX if rare else CHROME,
        "timezone": "Europe/Tallinn" if rare else "Europe/Berlin",
        "locale": "et-EE" if rare else "de-DE", "screen": "2560x1440" if rare else "1920x1080"})


def _suppressing_policy(tmp_path: Path) -> Path:
    text = default_policy_path().read_text(encoding="utf-8")
    assert text.count("enabled: false") == 1
    path = tmp_path / "policy.yaml"
    path.write_text(text.replace("enabled: false", "enabled: true"), encoding="utf-8")
    return path


def _risk_cli(*args: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "streams", "risk", "--json", *args],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout)
    return report


def test_suppression_metrics_erasure_and_the_risk_command(kafka_bootstrap, topic_prefix,
                                                          worker_factory, tmp_path):
    app_id = f"{topic_prefix}app"
    names = TopicNames(prefix=topic_prefix, app_id=app_id)
    create_spec_topics(kafka_bootstrap, topic_prefix, app_id, partitions=1)
    policy = _suppressing_policy(tmp_path)
    consent = [encode_consent(ConsentState(subject_id=s, analytics=True, profiling=True,
                                           updated_at="2026-11-01T00:00:00Z"))
               for s in [*COMMON, "rare"]]
    asyncio.run(produce_keyed(kafka_bootstrap, names.consent, consent))
    # First events of the common class, the rare one, then the common class again.
    order = [*COMMON, "rare", *COMMON]
    asyncio.run(produce(kafka_bootstrap, names.raw, [_event(s) for s in order]))

    worker = worker_factory("--topic-prefix", topic_prefix, "--app-id", app_id,
                            "--partitions", "1", "--policy", str(policy), env=worker_env())
    url = web_url(worker)
    got = asyncio.run(consume(kafka_bootstrap, [names.analytics], expect=len(order),
                              timeout=120))[names.analytics]
    records = [orjson.loads(value) for _, value in got]
    assert len(records) == len(order)
    assert all(r["_privacy"]["tier"] == "full" for r in records)
    # The rare combination's city never reaches analytics; nor do the first four
    # subjects of the common class (their class had fewer than k=5 subjects yet).
    assert b"Tallinn" not in b"".join(value for _, value in got)
    assert [r["geo"] for r in records[:9]] == [{"country": "DE"}] * 4 + [
        {"city": "Berlin", "country": "DE"}] * 4 + [{"country": "EE"}]
    assert all(r["geo"] == {"city": "Berlin", "country": "DE"} for r in records[9:])
    assert records[8]["timezone"] == "+02:00"
    assert records[8]["locale"] == "et"

    def metrics() -> str:
        return http_get(f"{url}/metrics")[1].decode()

    def settled() -> str | None:
        text = metrics()
        return text if metric_value(text, "logwarden_risk_window_records") == 17 else None

    text = wait_until("the risk window to hold every record", settled, worker=worker)
    assert metric_value(text, "logwarden_risk_window_subjects") == 9
    # written classes: rare without city (1 subject), Berlin without city (common-0..3: 4),
    # Berlin (8 subjects, 12 records)
    assert metric_value(text, "logwarden_risk_records_below_k_ratio", k="2") == pytest.approx(
        1 / 17)
    assert metric_value(text, "logwarden_risk_records_below_k_ratio", k="5") == pytest.approx(
        5 / 17)
    assert metric_value(text, "logwarden_risk_subjects_below_k_ratio", k="5") == pytest.approx(
        5 / 9)
    assert metric_value(text, "logwarden_risk_classes_by_size", size="1") == 1
    assert metric_value(text, "logwarden_risk_classes_by_size", size="2-4") == 1
    assert metric_value(text, "logwarden_risk_classes_by_size", size="5-9") == 1
    assert metric_value(text, "logwarden_risk_generalized_total",
                        quasi_identifier="city") == 5
    for word in ("Tallinn", "Berlin", "common-0", "rare"):
        assert word not in text

    report = _risk_cli("--broker", f"kafka://{kafka_bootstrap}", "--topic-prefix",
                       topic_prefix, "--policy", str(policy))
    assert (report["records"], report["subjects"], report["classes"]) == (17, 9, 3)
    assert report["k"] == {
        "2": {"records_below": 1, "share_records_below": round(1 / 17, 6),
              "subjects_below": 1, "share_subjects_below": round(1 / 9, 6)},
        "5": {"records_below": 5, "share_records_below": round(5 / 17, 6),
              "subjects_below": 5, "share_subjects_below": round(5 / 9, 6)},
        "10": {"records_below": 17, "share_records_below": 1.0,
               "subjects_below": 9, "share_subjects_below": 1.0}}

    forget = subprocess.run(
        [sys.executable, "-m", "streams", "forget", "rare", "--broker",
         f"kafka://{kafka_bootstrap}", "--topic-prefix", topic_prefix, "--timeout", "60"],
        capture_output=True, text=True, timeout=90, check=False)
    assert forget.returncode == 0, forget.stderr
    wait_until("the erased subject to leave the risk window",
               lambda: metric_value(metrics(), "logwarden_risk_window_subjects") == 8,
               worker=worker)
