"""kill -9 mid-stream, restart: every input accounted for in exactly one route."""

from __future__ import annotations

import asyncio
import random

import pytest

from tests.integration.pipeline_kit import (
    IP_LEAK,
    names_for,
    produce_corpus,
    publish_consent,
    read_outputs,
    setup_topics,
    wait_for_progress,
    worker_args,
    worker_env,
)

pytestmark = pytest.mark.kafka

EVENTS = 20_000


@pytest.mark.timeout(420)
@pytest.mark.parametrize("exactly_once", [False, True], ids=["at_least_once", "exactly_once"])
def test_kill9_mid_stream_loses_nothing(kafka_bootstrap, topic_prefix, worker_factory,
                                        exactly_once):
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    seqs = range(EVENTS)
    refs = asyncio.run(produce_corpus(kafka_bootstrap, names_for(topic_prefix).raw, seqs))
    env = worker_env()
    extra = ("--exactly-once",) if exactly_once else ()

    first = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="first")
    asyncio.run(wait_for_progress(kafka_bootstrap, topic_prefix, at_least=EVENTS // 4,
                                  alive=first.alive))
    first.kill9()
    assert not first.alive()

    worker_factory(*worker_args(topic_prefix, *extra), env=env, name="restarted")
    check_accounting(kafka_bootstrap, topic_prefix, refs, seqs, exactly_once)


@pytest.mark.timeout(600)
@pytest.mark.parametrize("exactly_once", [False, True], ids=["at_least_once", "exactly_once"])
def test_five_kills_at_random_points_lose_nothing(kafka_bootstrap, topic_prefix,
                                                  worker_factory, exactly_once):
    """Five SIGKILLs, each once the routes grew by a random share of the stream (some
    land mid-transaction, some during start-up or recovery), then a worker that stays."""
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    seqs = range(EVENTS)
    refs = asyncio.run(produce_corpus(kafka_bootstrap, names_for(topic_prefix).raw, seqs))
    env = worker_env()
    extra = ("--exactly-once",) if exactly_once else ()
    rng = random.Random()
    seen = 0
    for kill in range(5):
        worker = worker_factory(*worker_args(topic_prefix, *extra), env=env,
                                name=f"killed-{kill}")
        step = rng.randint(EVENTS // 40, EVENTS // 8)  # routes hold ~1.7 records per input
        seen = asyncio.run(wait_for_progress(kafka_bootstrap, topic_prefix,
                                             at_least=seen + step, alive=worker.alive,
                                             timeout=180))
        worker.kill9()
        assert not worker.alive()
    worker_factory(*worker_args(topic_prefix, *extra), env=env, name="survivor")
    check_accounting(kafka_bootstrap, topic_prefix, refs, seqs, exactly_once)


def check_accounting(bootstrap: str, prefix: str, refs: dict[str, int], seqs: range,
                     exactly_once: bool) -> None:
    """Every input in exactly one outcome; no duplicates under exactly-once; no PII."""
    ledger = asyncio.run(read_outputs(bootstrap, prefix, refs, expect=len(seqs) - 400,
                                      timeout=240))
    counts = ledger.accounted(seqs)
    assert counts["missing"] == 0, counts
    assert counts["leaked_dropped"] == 0, counts
    assert counts["conflict"] == 0, counts
    assert (counts["analytics"] + counts["identifiable_only"] + counts["deadletter"]
            + counts["dropped"]) == len(seqs), counts
    assert counts["deadletter"] == len([s for s in seqs if s % 101 == 7])
    assert ledger.unknown_sources == 0
    duplicates = ledger.duplicates()
    print(f"\naccounting ({'exactly' if exactly_once else 'at least'} once): "
          f"{dict(counts)}, duplicates={duplicates}")
    if exactly_once:
        assert duplicates == 0, f"duplicated inputs (seq: route counts): {ledger.duplicated()}"
    analytics = b"\n".join(ledger.analytics_values)
    assert b"@example.org" not in analytics
    assert not IP_LEAK.search(analytics)
