"""The batch histogram exposes what prometheus_client's Histogram would."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry, Histogram, generate_latest

from streams.observability.histogram import BatchHistogram

BUCKETS = (0.001, 0.1, 1.0, 60.0)


def exposition(registry: CollectorRegistry) -> list[str]:
    return [line for line in generate_latest(registry).decode().splitlines()
            if "_created" not in line]


@given(st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), max_size=50),
       st.integers(min_value=1, max_value=5))
def test_same_series_as_prometheus_client(values, batches):
    ours, theirs = CollectorRegistry(), CollectorRegistry()
    batch = BatchHistogram("t_seconds", "doc", BUCKETS, ours)
    single = Histogram("t_seconds", "doc", buckets=BUCKETS, registry=theirs)
    size = max(1, len(values) // batches)
    for i in range(0, len(values), size):
        batch.observe_many(values[i:i + size])
    for value in values:
        single.observe(value)
    mine, reference = exposition(ours), exposition(theirs)
    assert [line.rsplit(" ", 1)[0] for line in mine] == [
        line.rsplit(" ", 1)[0] for line in reference]
    for a, b in zip(mine, reference, strict=True):
        if not a.startswith("#"):
            assert float(a.rsplit(" ", 1)[1]) == pytest.approx(float(b.rsplit(" ", 1)[1]))
