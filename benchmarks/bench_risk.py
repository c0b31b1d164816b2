"""Risk measure and suppression: throughput on vs off, utility cost, risk before and after.

Run: python -m benchmarks.bench_risk [--n 40000] [--subjects 2000] [--rounds 3]

The data plane's per-record work: the engine's route, then (on) the risk window's observe
with suppression, and a measurement of the whole window every `--report-every` records
(the worker measures at most every 5 s when scraped). Events: benchmarks.population,
a long-tailed web population within one hour, 60 % full consent, 25 % analytics only,
15 % none. Times are CPU time of this process, off and on interleaved in one run, under
the data plane's garbage-collector settings.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import time
from collections.abc import Callable

import orjson

from benchmarks.population import Visit, population_events
from redactors.engine import Engine, load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.kwindow import RiskWindow
from redactors.risk import RiskReport
from streams.dataplane.service import GC_THRESHOLDS

__all__ = ["main"]


def _run(engine: Engine, raws: list[tuple[bytes, Visit]], window: RiskWindow | None) -> float:
    """CPU seconds to route every event (and observe it when `window` is given)."""
    gc.collect()
    started = time.process_time()
    for raw, visit in raws:
        result = engine(raw, visit.consent)
        if window is not None and result.analytics is not None:
            window.observe(result.analytics, visit.consent.subject_id)
    return time.process_time() - started


def _describe(label: str, report: RiskReport) -> str:
    shares = "  ".join(f"k={k}: {report.share_records_below(k):6.1%} records, "
                       f"{report.share_subjects_below(k):6.1%} subjects"
                       for k in (2, 5, 10))
    return (f"{label}: {report.records} records, {report.subjects} subjects, "
            f"{report.classes} classes; below {shares}; top: {report.top_contributor}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40_000)
    parser.add_argument("--subjects", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    engine = load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)
    spec = engine.policy.quasi
    assert spec is not None, "the default policy names quasi-identifiers"
    visits = population_events(args.n, subjects=args.subjects)
    raws = [(orjson.dumps(v.event), v) for v in visits]
    one = dataclasses.replace(spec, suppression=True, levels=1)
    every = dataclasses.replace(spec, suppression=True, levels=len(spec.generalize))
    windows: dict[str, Callable[[], RiskWindow | None]] = {
        "off": lambda: None,
        "measure": lambda: RiskWindow(spec),
        "suppression 1 level": lambda: RiskWindow(one),
        f"suppression {every.levels} levels": lambda: RiskWindow(every),
    }
    _run(engine, raws, None)  # warm the engine's caches
    # The data plane's collector settings (streams.dataplane.service): the window's
    # entries live long, and young collections under the default thresholds walk them.
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    best: dict[str, float] = {}
    last: dict[str, RiskWindow | None] = {}
    for _ in range(args.rounds):
        for name, make in windows.items():
            window = make()
            seconds = _run(engine, raws, window)
            best[name] = min(best.get(name, seconds), seconds)
            last[name] = window
    print(f"== {args.n} events of {args.subjects} subjects (benchmarks.population), "
          f"best of {args.rounds}, one core")
    for name, seconds in best.items():
        slower = best[name] / best["off"] - 1
        print(f"{name:<24} {args.n / seconds:>9,.0f} ev/s   {slower:+6.1%} vs off")
    measured = last["measure"]
    assert measured is not None
    started = time.process_time()
    before = measured.report()
    report_ms = (time.process_time() - started) * 1000
    print(f"one measurement of the window ({len(measured)} records): {report_ms:.0f} ms CPU "
          "(the worker measures at most every 5 s, when scraped)")
    print(_describe("risk, no suppression", before))
    for name in windows:
        window = last[name]
        if window is None or not window.spec.suppression:
            continue
        generalized = sum(window.generalized.values())
        print(_describe(f"risk, {name}", window.report()))
        share = window.records_generalized / max(window.observed, 1)
        print(f"  utility cost: {share:.1%} of {window.observed} records generalized, "
              f"{generalized} values ("
              + ", ".join(f"{qi} {count}" for qi, count in window.generalized.items()) + ")")


if __name__ == "__main__":
    main()
