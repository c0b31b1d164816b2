"""`logwarden policy explain`'s aggregates table: what each metric releases and costs."""

from __future__ import annotations

from redactors.aggregates.release import MetricRelease
from redactors.aggregates.spec import AggregatePlan

__all__ = ["render_aggregates"]


def _window(seconds: int) -> str:
    return f"{seconds // 86_400} d" if seconds % 86_400 == 0 else f"{seconds} s"


def render_aggregates(plan: AggregatePlan) -> str:
    """One line per metric: key, window, bound, mechanism, epsilon/delta as OpenDP maps them."""
    if not plan.metrics:
        return "aggregates: none"
    out = [f"aggregates (DP, released to analytics.aggregates; tiers "
           f"{', '.join(sorted(plan.tiers))}):"]
    for metric in plan.metrics:
        release = MetricRelease(metric)
        keys = ("private, threshold " + str(release.threshold)
                if metric.public_keys is None else f"{len(metric.public_keys)} public keys")
        events = ", ".join(sorted(metric.events)) or "all events"
        out.append(
            f"  {metric.name}: {metric.description or '-'}; {events}; "
            f"window {_window(metric.window_seconds)} + grace {metric.grace_seconds} s; "
            f"<= {metric.max_keys_per_user} keys/user, each once; {keys}; "
            f"{release.mechanism} scale {release.scale:g}; "
            f"epsilon {release.epsilon:g} delta {release.delta:.3g} per window, "
            f"epsilon {metric.epsilon_per_day:g} per user-day")
    out.append(f"budget: epsilon {plan.epsilon_per_user_day:g} of "
               f"{plan.budget.epsilon_per_user_day:g} per user-day; delta at most "
               f"{plan.budget.delta_per_metric_day:g} per thresholded metric and day")
    return "\n".join(out)
