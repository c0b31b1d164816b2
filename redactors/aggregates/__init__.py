"""Differentially private windowed counts: policy model, contribution bounds, release.

Pure, no Kafka: streams/dataplane/aggregation.py feeds it and sends what it releases.
"""

from redactors.aggregates.bounding import ContributionBounder, WindowCounts
from redactors.aggregates.extract import contributions_of
from redactors.aggregates.release import MetricRelease, smallest_threshold
from redactors.aggregates.spec import (
    DAY_SECONDS,
    NO_AGGREGATES,
    AggregatePlan,
    Budget,
    MetricSpec,
    aggregate_problems,
    plan_from_document,
)

__all__ = [
    "DAY_SECONDS",
    "NO_AGGREGATES",
    "AggregatePlan",
    "Budget",
    "ContributionBounder",
    "MetricRelease",
    "MetricSpec",
    "WindowCounts",
    "aggregate_problems",
    "contributions_of",
    "plan_from_document",
    "smallest_threshold",
]
