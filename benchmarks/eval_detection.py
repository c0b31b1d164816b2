"""Precision and recall per entity for FreeTextScanner beside Presidio's defaults.

Run: python -m benchmarks.eval_detection --n 2000 [--seed 7] [--no-presidio]
Two sets: the generated corpus's messages, and hand-labeled lines in the styles of public
log corpora and PII sentence sets (benchmarks/data/heldout_lines.txt), written apart
from the generator so that a detector tuned to its templates shows it. Then the number
of findings on Python's documentation prose, which holds almost no personal data.
A gold span counts as found when a finding of the same entity overlaps it; a
finding is correct when it overlaps a gold span of its entity. "covered" is the
share of gold spans wholly inside some finding of any entity: what a leak check sees.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.corpus import generate
from redactors.detectors import ENTITIES
from redactors.scanner import FreeTextScanner

__all__ = ["Score", "evaluate", "main"]

Span = tuple[int, int, str]
HELDOUT = Path(__file__).with_name("data") / "heldout_lines.txt"
_MARK = re.compile(r"\{\{([A-Z_]+)\|(.*?)\}\}")
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


def load_labeled_lines(path: Path = HELDOUT) -> tuple[list[str], list[list[Span]]]:
    """Lines with `{{ENTITY|value}}` marks as plain texts and their gold spans."""
    texts: list[str] = []
    golds: list[list[Span]] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        parts: list[str] = []
        spans: list[Span] = []
        last = length = 0
        for mark in _MARK.finditer(raw):
            parts.append(raw[last : mark.start()])
            length += mark.start() - last
            spans.append((length, length + len(mark[2]), mark[1]))
            parts.append(mark[2])
            length += len(mark[2])
            last = mark.end()
        parts.append(raw[last:])
        texts.append("".join(parts))
        golds.append(spans)
    return texts, golds


def prose_lines() -> list[str]:
    """Python's own documentation (pydoc_data, in every CPython): prose full of capitalized
    words, numbers and versions, almost without personal data: a false-positive check."""
    from pydoc_data.topics import topics

    return [line for text in topics.values() for line in text.splitlines() if len(line) > 20]


def _count_findings(texts: Sequence[str], predict: Callable[[str], list[Span]]) -> Counter[str]:
    return Counter(entity for text in texts for _, _, entity in predict(text))


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
    sets = [
        (
            "generated messages",
            [e.event["message"] for e in corpus],
            [e.message_spans for e in corpus],
        ),
        ("hand-labeled held-out lines", *load_labeled_lines()),
    ]
    ours_predict = _ours()
    theirs_predict = None if args.no_presidio else _presidio()
    for title, texts, golds in sets:
        ours = evaluate(texts, golds, ours_predict)
        theirs = None if theirs_predict is None else evaluate(texts, golds, theirs_predict)
        pii_texts = sum(1 for gold in golds if gold)
        print(f"\n== {title}: {len(texts)} texts, {pii_texts} with PII, "
              f"{sum(map(len, golds))} gold spans")  # fmt: skip
        print(_table(ours, theirs))
        rate = len(texts) / ours.seconds
        print(f"ours: {rate:,.0f} texts/s; false positives: {_false_positives(ours)}")
        if theirs is not None:
            print(f"presidio: {len(texts) / theirs.seconds:,.0f} texts/s; "
                  f"false positives: {_false_positives(theirs)}")  # fmt: skip
    prose = prose_lines()
    print(f"\n== findings on {len(prose)} lines of Python documentation prose (almost no PII)")
    print(f"ours: {dict(_count_findings(prose, ours_predict).most_common())}")
    if theirs_predict is not None:
        print(f"presidio: {dict(_count_findings(prose, theirs_predict).most_common())}")


if __name__ == "__main__":
    main()
