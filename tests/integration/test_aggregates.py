"""DP aggregates on the real broker: every window released exactly once across a kill -9,
counts bounded per user, nothing from subjects without analytics consent or children."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from redactors.policy import default_policy_path
from tests.integration import pipeline_kit as kit
from tests.kafkit import consume, wait_for_log

pytestmark = pytest.mark.kafka

WINDOW = 2  # seconds
GRACE = 6
FEED_SECONDS = 24
CONSENTED = range(20, 80)  # full consent
CHILDREN = range(0, 10)
UNCONSENTED = range(500, 520)  # no consent event: the default tier, which does not count
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) " \
         "Chrome/120.0.0.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
METRICS = ("page_users_daily", "login_users_by_country_daily", "browser_family_users_daily")


def short_window_policy(path: Path) -> Path:
    """The shipped metrics with 2 s windows and noise small enough to check counts."""
    text = default_policy_path().read_text(encoding="utf-8")
    text = text.replace("epsilon_per_user_day: 1.0 ", "epsilon_per_user_day: 1.0e+9 ")
    text = text.replace("delta_per_metric_day: 1.0e-8", "delta_per_metric_day: 1.0e-3")
    text = text.replace("window_seconds: 86400", f"window_seconds: {WINDOW}")
    text = text.replace("grace_seconds: 3600", f"grace_seconds: {GRACE}")
    for epsilon in ("0.5", "0.25"):
        text = text.replace(f"      epsilon: {epsilon}\n", "      epsilon: 60\n")
    path.write_text(text, encoding="utf-8")
    return path


def raw_event(subject: int, tick: int) -> dict[str, object]:
    login = tick % 2 == 0
    return {"event": "login" if login else "page_view", "user_id": f"u{subject}",
            "ts": "2026-11-25T10:00:00Z", "url": f"/p/{subject % 3}?session=x{tick}"
            if subject in CONSENTED else f"/p/hidden{subject}",
            "geo": {"country": "FR" if subject % 2 else "DE", "city": "Lyon"},
            "user_agent": CHROME if subject % 2 else FIREFOX}


async def feed(bootstrap: str, topic: str, seconds: float,
               sent: list[tuple[float, dict[str, object]]]) -> None:
    """Every subject once per 0.5 s; each event stamped with its (CreateTime) timestamp."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                                enable_idempotence=True, request_timeout_ms=120_000)
    await producer.start()
    try:
        start = time.time()
        tick = 0
        while time.time() < start + seconds:
            for subject in (*CONSENTED, *CHILDREN, *UNCONSENTED):
                now = time.time()
                value = raw_event(subject, tick)
                await producer.send(topic, orjson.dumps(value), partition=subject % kit.PARTITIONS,
                                    timestamp_ms=int(now * 1000))
                sent.append((now, value))
            tick += 1
            await asyncio.sleep(0.5)
        await producer.flush()
    finally:
        await producer.stop()


async def publish(bootstrap: str, prefix: str) -> None:
    def consent(subject: int, **flags: object) -> tuple[bytes, bytes]:
        body = {"subject_id": f"u{subject}", "updated_at": "2026-11-01T00:00:00Z", **flags}
        return f"u{subject}".encode(), orjson.dumps(body)

    records = [consent(s, analytics=True, profiling=True, marketing=True) for s in CONSENTED]
    records += [consent(s, analytics=True, profiling=False, marketing=False,
                        birth_year=2016) for s in CHILDREN]
    await kit.produce_keyed(bootstrap, kit.names_for(prefix).consent, records)


def expected_users(sent: list[tuple[float, dict[str, object]]]) -> dict[tuple[str, int],
                                                                          dict[str, set[str]]]:
    """Distinct consented users per metric, window and key (before any bound)."""
    out: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for at, event in sent:
        subject = int(str(event["user_id"])[1:])
        if subject not in CONSENTED:
            continue
        start = int(at // WINDOW) * WINDOW
        user = str(event["user_id"])
        out["page_users_daily", start][str(event["url"]).split("?")[0]].add(user)
        browser = "Chrome" if event["user_agent"] == CHROME else "Firefox"
        out["browser_family_users_daily", start][browser].add(user)
        if event["event"] == "login":
            country = str(event["geo"]["country"])  # type: ignore[index]
            out["login_users_by_country_daily", start][country].add(user)
    return out


def releases(bootstrap: str, prefix: str) -> list[tuple[bytes | None, dict[str, object]]]:
    topic = kit.names_for(prefix).aggregates
    got = asyncio.run(consume(bootstrap, [topic], timeout=20, idle=2))[topic]
    return [(key, orjson.loads(value)) for key, value in got]


def window_start(record: dict[str, object]) -> int:
    window = record["window"]
    assert isinstance(window, dict)
    return int(datetime.fromisoformat(str(window["start"]).replace("Z", "+00:00")).timestamp())


@pytest.mark.timeout(300)
def test_windows_are_released_once_across_a_kill9(kafka_bootstrap, topic_prefix,
                                                  worker_factory, tmp_path):
    asyncio.run(kit.setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish(kafka_bootstrap, topic_prefix))
    policy = short_window_policy(tmp_path / "policy.yaml")
    env = kit.worker_env()
    args = kit.worker_args(topic_prefix, "--policy", str(policy))
    first = worker_factory(*args, env=env, name="first")
    wait_for_log(first, "aggregator owns contributions", timeout=120)

    sent: list[tuple[float, dict[str, object]]] = []
    feeder = threading.Thread(target=lambda: asyncio.run(
        feed(kafka_bootstrap, kit.names_for(topic_prefix).raw, FEED_SECONDS, sent)))
    feeder.start()
    # kill mid-stream, once a window with counts has been released
    deadline = time.monotonic() + 120
    while not any(r["counts"] for _, r in releases(kafka_bootstrap, topic_prefix)
                  if r["keys"] == "private"):
        assert first.alive(), first.logs()[-3000:]
        assert time.monotonic() < deadline, "no release before the kill"
    first.kill9()
    killed_at = time.time()
    worker_factory(*args, env=env, name="restarted")
    feeder.join(timeout=120)
    assert not feeder.is_alive()

    last = int(max(at for at, _ in sent) // WINDOW) * WINDOW
    deadline = time.monotonic() + 120
    while True:
        got = releases(kafka_bootstrap, topic_prefix)
        done = {(str(r["metric"]), window_start(r)) for _, r in got}
        if all((m, last) in done for m in METRICS):
            break
        assert time.monotonic() < deadline, f"windows up to {last} never all released"
        time.sleep(1)

    seen: dict[tuple[str, int], int] = defaultdict(int)
    for key, record in got:
        start = window_start(record)
        seen[str(record["metric"]), start] += 1
        assert key == f"{record['metric']}/{start}".encode()
    assert max(seen.values()) == 1, "a window was released twice"
    for metric in METRICS:
        starts = sorted(s for m, s in seen if m == metric)
        assert starts == list(range(starts[0], starts[-1] + WINDOW, WINDOW)), "a window skipped"

    expected = expected_users(sent)
    exact = 0
    for _, record in got:
        metric, start = str(record["metric"]), window_start(record)
        counts = record["counts"]
        assert isinstance(counts, dict)
        want = {k: len(v) for k, v in expected.get((metric, start), {}).items()}
        assert not any("hidden" in k for k in counts)  # unconsented or child subjects
        for key, value in counts.items():
            assert value <= want.get(key, 0), (metric, start, key)  # never double counted
        released_at = datetime.fromisoformat(str(record["released_at"]).replace("Z", "+00:00"))
        if released_at.timestamp() < killed_at and want:
            # released by the first worker from every contribution: exact (noise ~1e-7)
            assert {k: v for k, v in counts.items() if v} == want, (metric, start)
            exact += 1
        assert record["epsilon"] == pytest.approx(60)
        assert record["schema"] == "logwarden.aggregate-release/1"
    assert exact > 0
