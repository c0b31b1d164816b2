"""Contribution bounds: whatever one user sends moves the released counts by its bound."""

from __future__ import annotations

import random
from collections import Counter

from redactors.aggregates import ContributionBounder, contributions_of
from redactors.aggregates.spec import AggregatePlan
from redactors.policy import load_policy

PLAN = load_policy().aggregates
PUBLIC = tuple(None if m.public_keys is None else frozenset(m.public_keys)
               for m in PLAN.metrics)
DAY = 1_764_547_200  # a midnight


def _record(rng: random.Random, page: str) -> dict[str, object]:
    return {"event": rng.choice(["login", "page_view", "click"]), "url": page + "?q",
            "geo": {"country": rng.choice(["FR", "US", "ZZ", "DE"])},
            "user_agent": {"browser": rng.choice(["Chrome", "Firefox", "Netscape"])}}


def _counts(plan: AggregatePlan, events: list[tuple[str, dict[str, object]]]
            ) -> list[Counter[str]]:
    """Bounded counts per metric, released through a deterministic (identity) mechanism."""
    bounder = ContributionBounder(plan.metrics)
    for offset, (user, record) in enumerate(events):
        for index, key in enumerate(contributions_of(plan, record, "full", PUBLIC)):
            if key is not None:
                bounder.add(index, DAY + offset % 3600, user, key)
    return [bounder.pop(i, DAY).counts for i in range(len(plan.metrics))]


def test_one_user_with_10000_events_over_500_keys_moves_counts_by_its_bound() -> None:
    rng = random.Random(14)
    crowd = [(f"u{rng.randrange(300)}", _record(rng, f"/p{rng.randrange(40)}"))
             for _ in range(3_000)]
    heavy = [("heavy", _record(rng, f"/k{i % 500}")) for i in range(10_000)]
    mixed = crowd[:]
    for event in heavy:
        mixed.insert(rng.randrange(len(mixed) + 1), event)
    without, with_heavy = _counts(PLAN, crowd), _counts(PLAN, mixed)
    for metric, before, after in zip(PLAN.metrics, without, with_heavy, strict=True):
        moved = {k: after[k] - before[k] for k in before.keys() | after.keys()}
        assert all(0 <= d <= 1 for d in moved.values()), metric.name
        assert sum(moved.values()) <= metric.max_keys_per_user, metric.name


def test_only_contributing_tiers_count_and_unlisted_public_keys_fold_into_other() -> None:
    record = {"event": "login", "url": "/a/b?x=1#top", "geo": {"country": "ZZ"},
              "ip": {"country": "FR"}, "user_agent": {"browser": "Netscape"}}
    assert contributions_of(PLAN, record, "full", PUBLIC) == ["/a/b", None, "Other"]
    assert contributions_of(PLAN, record, "none", PUBLIC) == [None, None, None]
    assert contributions_of(PLAN, {"event": "click", "ip": {"country": "FR"}}, "analytics_only",
                            PUBLIC) == [None, None, None]
    assert contributions_of(PLAN, {"event": "login", "ip": {"country": "FR"}}, "analytics_only",
                            PUBLIC) == [None, "FR", None]


def test_a_popped_window_takes_its_per_user_state_with_it() -> None:
    bounder = ContributionBounder(PLAN.metrics)
    assert bounder.add(0, DAY + 5, "u", "/a")
    assert not bounder.add(0, DAY + 6, "u", "/a")  # each key once
    assert bounder.users_held == 1
    window = bounder.pop(0, DAY)
    assert window.counts == {"/a": 1}
    assert bounder.users_held == 0
