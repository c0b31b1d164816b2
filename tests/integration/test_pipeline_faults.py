"""Faults that need no broker restart: a clean stop, a worker joining and leaving, a
paused worker, and an exception between produce and commit.

Invariants as in test_pipeline_delivery: every input in exactly one outcome, nothing
lost, no child event anywhere, no known PII in analytics; no duplicate under
exactly-once. A clean stop (SIGTERM) commits what it finished, so it adds no duplicate
in either mode.
"""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from tests.integration.pipeline_kit import (
    EVENTS_FAULTS,
    PacedFeed,
    assert_no_canary,
    assert_no_open_transaction,
    names_for,
    produce_corpus,
    publish_consent,
    read_outputs,
    settle_accounting,
    setup_topics,
    wait_for_metric_events,
    wait_for_progress,
    worker_args,
    worker_env,
)

pytestmark = pytest.mark.kafka

EVENTS = EVENTS_FAULTS
MODES = pytest.mark.parametrize("exactly_once", [False, True],
                                ids=["at_least_once", "exactly_once"])


def prepare(bootstrap: str, prefix: str) -> tuple[range, dict[str, int]]:
    asyncio.run(setup_topics(bootstrap, prefix))
    asyncio.run(publish_consent(bootstrap, prefix))
    seqs = range(EVENTS)
    return seqs, asyncio.run(produce_corpus(bootstrap, names_for(prefix).raw, seqs))


@pytest.mark.timeout(300)
@MODES
def test_sigterm_mid_stream_commits_what_it_finished(kafka_bootstrap, topic_prefix,
                                                     worker_factory, exactly_once):
    seqs, refs = prepare(kafka_bootstrap, topic_prefix)
    env, extra = worker_env(), (("--exactly-once",) if exactly_once else ())
    first = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="stopped")
    asyncio.run(wait_for_progress(kafka_bootstrap, topic_prefix, at_least=EVENTS // 3,
                                  alive=first.alive))
    first.stop(timeout=60)
    assert first.proc is not None
    assert first.proc.returncode == 0, first.logs()[-3000:]
    worker_factory(*worker_args(topic_prefix, *extra), env=env, name="next")
    counts, duplicates = settle_accounting(kafka_bootstrap, topic_prefix, refs, seqs)
    print(f"\nSIGTERM ({'exactly' if exactly_once else 'at least'} once): {counts}, "
          f"duplicates={duplicates}")
    assert duplicates == 0


@pytest.mark.timeout(300)
@MODES
def test_a_worker_joining_and_leaving_mid_stream(kafka_bootstrap, topic_prefix,
                                                 worker_factory, exactly_once):
    """Two rebalances while records flow (500 a second for 24 s): partitions move to the
    newcomer, whose producers fence the owner's ids after it committed on revoke, and
    back when the newcomer stops."""
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    env, extra = worker_env(), (("--exactly-once",) if exactly_once else ())
    stays = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="stays")
    seqs = range(EVENTS)
    feed = PacedFeed(kafka_bootstrap, topic_prefix, seqs, per_second=500)
    asyncio.run(wait_for_progress(kafka_bootstrap, topic_prefix, at_least=EVENTS // 6,
                                  alive=stays.alive))
    visitor = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="visitor")
    wait_for_metric_events(visitor, names_for(topic_prefix).raw)  # it owns and routes
    visitor.stop(timeout=60)
    assert feed.is_alive(), "the stream ended before the visitor left: slow the feed down"
    refs = feed.join(timeout=60)
    assert stays.alive()
    counts, duplicates = settle_accounting(kafka_bootstrap, topic_prefix, refs, seqs)
    print(f"\njoin and leave ({'exactly' if exactly_once else 'at least'} once): {counts}, "
          f"duplicates={duplicates}")
    if exactly_once:
        assert duplicates == 0


@pytest.mark.timeout(300)
@MODES
def test_a_paused_worker_is_fenced_when_it_wakes(kafka_bootstrap, topic_prefix,
                                                 worker_factory, exactly_once):
    """SIGSTOP a worker for longer than the session timeout (10 s) while records flow:
    the other worker takes its partitions (under exactly-once its producers fence the
    sleeper's transactional ids); after SIGCONT the zombie's sends and commits are
    refused, it rejoins, and no input is duplicated under exactly-once."""
    asyncio.run(setup_topics(kafka_bootstrap, topic_prefix))
    asyncio.run(publish_consent(kafka_bootstrap, topic_prefix))
    env, extra = worker_env(), (("--exactly-once",) if exactly_once else ())
    sleeper = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="sleeper")
    other = worker_factory(*worker_args(topic_prefix, *extra), env=env, name="other")
    seqs = range(EVENTS)
    feed = PacedFeed(kafka_bootstrap, topic_prefix, seqs, per_second=400)
    wait_for_metric_events(sleeper, names_for(topic_prefix).raw)
    wait_for_metric_events(other, names_for(topic_prefix).raw)
    assert sleeper.proc is not None
    sleeper.proc.send_signal(signal.SIGSTOP)
    time.sleep(15)  # past session.timeout.ms: the group moves on without it
    sleeper.proc.send_signal(signal.SIGCONT)
    assert feed.is_alive(), "the stream ended before the sleeper woke: slow the feed down"
    refs = feed.join(timeout=60)
    assert other.alive()
    counts, duplicates = settle_accounting(kafka_bootstrap, topic_prefix, refs, seqs)
    print(f"\nSIGSTOP/SIGCONT ({'exactly' if exactly_once else 'at least'} once): {counts}, "
          f"duplicates={duplicates}")
    if exactly_once:
        assert duplicates == 0


@pytest.mark.timeout(300)
@MODES
def test_an_exception_between_produce_and_commit(kafka_bootstrap, topic_prefix,
                                                 worker_factory, exactly_once):
    """LOGWARDEN_INJECT_FAULT raises once after a batch's outputs were sent and before its
    offsets were committed. The worker recovers in-process: at-least-once goes back to
    the committed offsets (the batch comes twice), exactly-once aborts the transaction
    (its outputs exist but read_committed never sees them) and routes the records again."""
    seqs, refs = prepare(kafka_bootstrap, topic_prefix)
    extra = ("--exactly-once",) if exactly_once else ()
    worker = worker_factory(*worker_args(topic_prefix, *extra), name="injected",
                            env={**worker_env(), "LOGWARDEN_INJECT_FAULT": "before-commit:3"})
    counts, duplicates = settle_accounting(kafka_bootstrap, topic_prefix, refs, seqs)
    assert worker.alive(), worker.logs()[-3000:]
    assert "fault injected between produce and commit" in worker.logs()
    assert_no_open_transaction(kafka_bootstrap, topic_prefix)
    assert_no_canary(kafka_bootstrap, topic_prefix, [worker.logs()])
    every_write = asyncio.run(read_outputs(kafka_bootstrap, topic_prefix, refs,
                                           expect=len(seqs) - counts["dropped"], timeout=60,
                                           read_committed=False))
    print(f"\ninjected fault ({'exactly' if exactly_once else 'at least'} once): {counts}, "
          f"duplicates={duplicates}, written twice (aborted included)="
          f"{every_write.duplicates()}")
    assert every_write.duplicates() > 0  # the fault struck after the outputs were sent
    if exactly_once:
        assert duplicates == 0

