"""Precision and recall per entity for FreeTextScanner beside Presidio's defaults.

Run: python -m benchmarks.eval_detection --n 2000 [--seed 7] [--no-presidio]
A gold span counts as found when a finding of the same entity overlaps it; a
finding is correct when it overlaps a gold span of its entity. "covered" is the
share of gold spans wholly inside some finding of any entity: what a leak check sees.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from benchmarks.corpus import generate
from redactors.detectors import ENTITIES
from redactors.scanner import FreeTextScanner

__all__ = ["Score", "evaluate", "main"]

Span = tuple[int, int, str]
PATTERN_ENTITIES = frozenset(ENTITIES - {"PERSON"})


@dataclass
class Score:
    """Counts per entity for one system."""

    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)  # gold spans recalled
    covered: Counter[str] = field(default_factory=Counter)  # gold spans fully redacted
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def recall(self, entities: frozenset[str] | str) -> float:
        keys = {entities} if isinstance(entities, str) else entities
        gold = sum(self.gold[k] for k in keys)
        return sum(self.found[k] for k in keys) / gold if gold else float("nan")

    def precision(self, entity: str) -> float:
        predicted = self.predicted[entity]
        return self.correct[entity] / predicted if predicted else float("nan")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(
    texts: Sequence[str], golds: Sequence[list[Span]], predict: Callable[[str], list[Span]]
) -> Score:
    """Score one system's spans against the gold spans of every text."""
    score = Score()
    started = time.perf_counter()
    predictions = [predict(text) for text in texts]
    score.seconds = time.perf_counter() - started
    for gold, predicted in zip(golds, predictions, strict=True):
        for start, end, entity in gold:
            score.gold[entity] += 1
            if any(e == entity and _overlaps((s, t), (start, end)) for s, t, e in predicted):
                score.found[entity] += 1
            if any(s <= start and end <= t for s, t, _ in predicted):
                score.covered[entity] += 1
        for start, end, entity in predicted:
            score.predicted[entity] += 1
            if any(e == entity and _overlaps((s, t), (start, end)) for s, t, e in gold):
                score.correct[entity] += 1
    return score


def _ours() -> Callable[[str], list[Span]]:
    scanner = FreeTextScanner(cache_size=0)  # no cache: measure detection, not memory
    return lambda text: [(f.start, f.end, f.entity) for f in scanner.find(text)]


def _presidio() -> Callable[[str], list[Span]]:
    from benchmarks.presidio_offline import offline_analyzer

    analyzer = offline_analyzer()

    def predict(text: str) -> list[Span]:
        results = analyzer.analyze(text, language="en")
        return [(r.start, r.end, r.entity_type) for r in results]

    return predict


def _cell(value: float) -> str:
    return "   -  " if value != value else f"{100 * value:6.1f}"  # NaN: nothing to score


def _table(ours: Score, theirs: Score | None) -> str:
    header = f"{'entity':<16}{'gold':>6} | {'ours P':>7}{'R':>7}{'covered':>8}"
    if theirs is not None:
        header += f" | {'presidio P':>10}{'R':>7}"
    lines = [header, "-" * len(header)]
    for entity in sorted(ENTITIES):
        row = f"{entity:<16}{ours.gold[entity]:>6} | {_cell(ours.precision(entity)):>7}"
        covered = ours.covered[entity] / ours.gold[entity] if ours.gold[entity] else float("nan")
        row += f"{_cell(ours.recall(entity)):>7}{_cell(covered):>8}"
        if theirs is not None:
            row += f" | {_cell(theirs.precision(entity)):>10}{_cell(theirs.recall(entity)):>7}"
        lines.append(row)
    lines.append("-" * len(header))
    pattern_row = (
        f"{'pattern (micro)':<16}{'':>6} | {'':>7}{_cell(ours.recall(PATTERN_ENTITIES)):>7}"
    )
    if theirs is not None:
        pattern_row += f"{'':>8} | {'':>10}{_cell(theirs.recall(PATTERN_ENTITIES)):>7}"
    lines.append(pattern_row)
    return "\n".join(lines)


def _false_positives(score: Score) -> str:
    extra = {k: v - score.correct[k] for k, v in score.predicted.items() if k not in ENTITIES}
    wrong = {k: score.predicted[k] - score.correct[k] for k in ENTITIES if score.predicted[k]}
    return ", ".join(f"{k} {v}" for k, v in sorted({**wrong, **extra}.items()) if v) or "none"


def main(argv: Sequence[str] | None = None) -> None:
    """Generate the corpus, score both systems and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="events to generate")
    parser.add_argument("--seed", type=int, default=7, help="corpus seed")
    parser.add_argument("--no-presidio", action="store_true", help="score only our scanner")
    args = parser.parse_args(argv)
    corpus = generate(args.n, seed=args.seed)
    texts = [labeled.event["message"] for labeled in corpus]
    golds = [labeled.message_spans for labeled in corpus]
    ours = evaluate(texts, golds, _ours())
    theirs = None if args.no_presidio else evaluate(texts, golds, _presidio())
    pii_texts = sum(1 for gold in golds if gold)
    print(f"{len(texts)} messages, {pii_texts} with PII, {sum(map(len, golds))} gold spans")
    print(_table(ours, theirs))
    print(
        f"ours: {len(texts) / ours.seconds:,.0f} texts/s; false positives: {_false_positives(ours)}"
    )
    if theirs is not None:
        print(f"presidio: {len(texts) / theirs.seconds:,.0f} texts/s; "
              f"false positives: {_false_positives(theirs)}")  # fmt: skip


if __name__ == "__main__":
    main()
