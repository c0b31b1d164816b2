"""Engine throughput and leaks beside naive Presidio and plain orjson, in one run.

Run: python -m benchmarks.bench_engine [--n 20000] [--naive-n 300] [--seed 7] [--mix both]

Two mixes: flat web logs (benchmarks.corpus) and nested application logs with arrays
and more free text (benchmarks.corpus_nested), each measured on its own.

(a) naive: Presidio analyze + anonymize on every string field (offline, blank spaCy);
(b) floor: orjson parse + serialize of the same events. One core, one process.
Times are the process's CPU time (a busy machine slows the wall clock, not the ratios).
Leaks: a known PII value of an event counts as leaked when it appears in that event's
output in any form we can think of (case, URL or JSON escaping, inside longer strings).
"""

from __future__ import annotations

import argparse
import gc
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from benchmarks.corpus import LabeledEvent, generate
from benchmarks.corpus_nested import generate_nested
from redactors.consent import ConsentState
from redactors.engine import Engine, load_engine
from redactors.keys import InMemoryKeyProvider
from redactors.parsing import ParsedEvent
from redactors.treat import TreatState

__all__ = ["leaked_values", "main", "variants"]


def variants(value: str) -> set[str]:
    """The forms a value may take in serialized output, lower-cased."""
    forms = {
        value,
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote_plus(value),
        urllib.parse.quote(value),
        orjson.dumps(value).decode()[1:-1],
    }
    if "," in value:  # coordinates "lat,lon": a part with 3+ decimals (~100 m) still locates
        forms.update(
            part.strip() for part in value.split(",") if len(part.strip().partition(".")[2]) >= 3
        )
    return {form.lower() for form in forms if form}


def leaked_values(output: bytes | None, pii: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (entity, value) pairs of which some form appears in `output`."""
    if not output:
        return []
    text = output.decode("utf-8", "replace").lower()
    text_unescaped = urllib.parse.unquote(text)
    return [
        (entity, value)
        for entity, value in pii
        if not _own_network(entity, value)
        and any(form in text or form in text_unescaped for form in variants(value))
    ]


def _own_network(entity: str, value: str) -> bool:
    """An IPv4 address ending in .0 is its own /24: seeing it reveals nothing more."""
    return entity == "IP_ADDRESS" and value.count(".") == 3 and value.endswith(".0")


def _time(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def _naive(analyzer: Any, anonymizer: Any) -> Callable[[Any], Any]:
    def treat(value: Any) -> Any:
        if isinstance(value, str):
            results = analyzer.analyze(text=value, language="en")
            return anonymizer.anonymize(text=value, analyzer_results=results).text
        if isinstance(value, dict):
            return {k: treat(v) for k, v in value.items()}
        if isinstance(value, list):
            return [treat(v) for v in value]
        return value

    return treat


def _consents(labeled: list[LabeledEvent]) -> list[ConsentState]:
    return [
        ConsentState(subject_id=_subject(item.event), analytics=True, profiling=True,
                     marketing=i % 3 == 0)
        for i, item in enumerate(labeled)
    ]


def _subject(event: dict[str, Any]) -> str:
    user = event.get("user")
    return str(event.get("user_id") or (user.get("id") if isinstance(user, dict) else ""))


def _leaks(outputs: Iterable[bytes | None], labeled: Iterable[LabeledEvent]) -> Counter[str]:
    return Counter(
        entity
        for out, item in zip(outputs, labeled, strict=True)
        for entity, _ in leaked_values(out, item.pii)
    )


def _bench_mix(name: str, labeled: list[LabeledEvent], naive: Callable[[Any], Any] | None,
               naive_n: int) -> None:
    """Warm and cold cost beside orjson, leaks, and naive Presidio on a sample, one mix."""
    raws = [orjson.dumps(item.event) for item in labeled]
    consents = _consents(labeled)
    engine = load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)

    def floor() -> None:
        for raw in raws:
            orjson.dumps(orjson.loads(raw))

    outputs: list[bytes | None] = []

    def run_engine() -> None:
        outputs.clear()
        for raw, consent in zip(raws, consents, strict=True):
            result = engine(raw, consent)
            outputs.append(orjson.dumps(result.analytics) if result.analytics else None)

    run_engine()  # warm the caches of a long-running worker: first-sight costs are reported below
    cold_engine = load_engine(None, InMemoryKeyProvider(), {}, allow_ephemeral=True)
    started = time.process_time()
    for raw, consent in zip(raws, consents, strict=True):
        cold_engine(raw, consent)
    cold = time.process_time() - started
    t_floor = _time(floor)
    t_engine = _time(run_engine)
    leaks = _leaks(outputs, labeled)
    totals = Counter(entity for item in labeled for entity, _ in item.pii)
    n = len(raws)
    size = sum(map(len, raws)) / n
    print(f"== {name}: {n} events, {size:.0f} bytes each on average, one core")
    print(f"orjson parse+serialize: {n / t_floor:12,.0f} ev/s  {t_floor / n * 1e6:7.2f} us/ev")
    print(
        f"engine (warm caches):   {n / t_engine:12,.0f} ev/s  {t_engine / n * 1e6:7.2f} us/ev"
        f"  = {t_engine / t_floor:.1f}x parse+serialize"
    )
    print(f"engine (cold, 1 pass):  {n / cold:12,.0f} ev/s  {cold / n * 1e6:7.2f} us/ev")
    engine_leaks = sum(leaks.values())
    print(
        f"engine leaks: {engine_leaks} of {sum(totals.values())} known PII values "
        f"(recall {1 - engine_leaks / sum(totals.values()):.4f})"
    )
    for entity in sorted(totals):
        if leaks[entity]:
            print(f"  leaked {entity}: {leaks[entity]} of {totals[entity]}")
    _phases(engine, raws, consents, outputs, t_engine)
    if naive is None:
        return
    sample = labeled[:naive_n]
    naive_out: list[bytes] = []
    started = time.process_time()
    for item in sample:
        naive_out.append(orjson.dumps(naive(orjson.loads(orjson.dumps(item.event)))))
    t_naive = time.process_time() - started
    naive_leaks = _leaks(naive_out, sample)
    sample_totals = Counter(entity for item in sample for entity, _ in item.pii)
    ours_on_sample = _leaks(outputs[: len(sample)], sample)
    rate_naive = len(sample) / t_naive
    print(
        f"naive Presidio:         {rate_naive:12,.0f} ev/s  {t_naive / len(sample) * 1e6:7.0f}"
        f" us/ev  ({len(sample)} events)"
    )
    print(
        f"engine / naive: {n / t_engine / rate_naive:,.0f}x warm, "
        f"{n / cold / rate_naive:,.0f}x cold"
    )
    total = sum(sample_totals.values())
    print(
        f"recall on the naive sample: engine {1 - sum(ours_on_sample.values()) / total:.4f}, "
        f"naive {1 - sum(naive_leaks.values()) / total:.4f}"
    )
    for entity in sorted(sample_totals):
        print(
            f"  {entity:16} {sample_totals[entity]:5}  leaked: engine "
            f"{ours_on_sample[entity]:4}  naive {naive_leaks[entity]:4}"
        )


def _phases(engine: Engine, raws: list[bytes], consents: list[ConsentState],
            outputs: list[bytes | None], t_engine: float) -> None:
    """Where the warm cost goes: each stage of the engine timed on its own."""
    parsed = [engine.parse(raw) for raw in raws]
    events = [p for p in parsed if isinstance(p, ParsedEvent)]
    tier = engine.tier_of(consents[0])
    walked = []
    for event in events:
        state = TreatState("2026-01-01")
        engine._treaters[tier].treat(event.event, state)
        walked.append(({"fields": state.identifiable, "policy": "p"}, engine.subject_of(event)))
    seals = [(payload, subject, engine.keys.get_or_create(subject))
             for payload, subject in walked if subject is not None]
    records = [orjson.loads(out) for out in outputs if out is not None]
    treat = engine._treaters[tier].treat
    seal = engine._sealer.seal

    def parse() -> None:
        for raw in raws:
            engine.parse(raw)

    def walk() -> None:
        for p in events:
            treat(p.event, TreatState("2026-01-01"))

    def sealing() -> None:
        for payload, subject, key in seals:
            seal(payload, subject, key)

    def serialize() -> None:
        for record in records:
            orjson.dumps(record)

    stages = {"parse (orjson + duplicate-key marks)": parse, "walk (Treater.treat)": walk,
              "seal (identifiable record)": sealing, "serialize (analytics record)": serialize}
    print("  warm cost by stage:")
    rest = t_engine
    for name, stage in stages.items():
        took = _time(stage)
        rest -= took
        print(f"    {name:38} {took / len(raws) * 1e6:6.2f} us/ev")
    print(f"    {'the rest (lookups, _privacy, result)':38} {rest / len(raws) * 1e6:6.2f} us/ev")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--naive-n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--mix", choices=("web", "nested", "both"), default="both")
    args = parser.parse_args(argv)

    naive = None
    if not args.no_presidio:
        from presidio_anonymizer import AnonymizerEngine

        from benchmarks.presidio_offline import offline_analyzer

        naive = _naive(offline_analyzer(), AnonymizerEngine())
    if args.mix in ("web", "both"):
        _bench_mix(f"web logs (benchmarks.corpus, seed {args.seed})",
                   generate(args.n, seed=args.seed), naive, args.naive_n)
    if args.mix in ("nested", "both"):
        _bench_mix(f"nested app logs (benchmarks.corpus_nested, seed {args.seed})",
                   generate_nested(args.n, seed=args.seed), naive, args.naive_n)


if __name__ == "__main__":
    main()
