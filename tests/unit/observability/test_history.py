"""The status page's 15-minute series: rates between readings, per route, and lag."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from streams.observability.history import History
from streams.observability.outage import BrokerLink


def test_rates_per_second_in_and_per_route():
    history = History(span=60, step=5)
    assert history.record(0, {"analytics": 0, "dropped": 0}, None, now=100)
    assert not history.record(5, {"analytics": 5, "dropped": 0}, None, now=102)  # too soon
    assert history.record(50, {"analytics": 40, "dropped": 10}, 0.5, now=105)
    assert history.record(50, {"analytics": 40, "dropped": 10}, 2.0, now=110)
    series = history.series()
    assert series["t"] == [105, 110]
    assert series["in_per_second"] == [10, 0]
    assert series["out_per_second"] == {"analytics": [8, 0], "dropped": [2, 0]}
    assert series["lag_seconds"] == [0.5, 2.0]


def test_only_the_span_is_kept():
    history = History(span=60, step=5)
    for n in range(100):
        history.record(n, {}, None, now=100 + 5 * n)
    assert len(history.series()["t"]) == 12  # 13 readings, 12 intervals


def test_empty_history_has_empty_series():
    assert History().series()["t"] == []


def test_an_outage_is_one_state_change(caplog):
    registry = CollectorRegistry()
    link = BrokerLink(registry)
    with caplog.at_level("INFO", logger="streams.observability.outage"):
        link.succeeded(now=90)  # reachable already: nothing to say
        link.failed("KafkaConnectionError", now=100)
        for n in range(30):
            link.failed("KafkaConnectionError", now=101 + n)
        assert not link.reachable
        assert b"logwarden_broker_reachable 0.0" in generate_latest(registry)
        link.succeeded(now=133)
        link.succeeded(now=134)
    messages = [r.getMessage() for r in caplog.records]
    assert messages == ["broker unreachable since 1970-01-01T00:01:40+00:00 "
                        "(KafkaConnectionError)", "broker reachable again after 33 s"]
    assert link.last_outage_seconds == 33
    exposed = generate_latest(registry)
    assert b"logwarden_broker_reachable 1.0" in exposed
    assert b"logwarden_broker_outages_total 1.0" in exposed
