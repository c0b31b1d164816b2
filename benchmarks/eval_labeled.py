"""Recall per label on a public labeled PII set: which labeled values the scanner covers.

Run: python -m benchmarks.eval_labeled FILE.jsonl [--misses N]
Each line is `{"text": ..., "NER": [[value, label], ...]}` (the `{"entity", "label"}`
object form is read too): labels are the data set's own, so no mapping to our entities
is needed. A value counts as covered when every character of it lies inside some
finding, whatever its entity: that is what keeps it out of analytics.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from redactors.scanner import FreeTextScanner

__all__ = ["main", "score_file"]


def _pairs(raw: list[object]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for item in raw:
        if isinstance(item, list) and len(item) == 2:
            pairs.append((str(item[0]), str(item[1])))
        elif isinstance(item, dict) and "entity" in item and "label" in item:
            pairs.append((str(item["entity"]), str(item["label"])))
    return pairs


def score_file(path: Path) -> tuple[Counter[str], Counter[str], list[tuple[str, str, str]]]:
    """(gold per label, covered per label, misses as (label, value, text))."""
    scanner = FreeTextScanner(cache_size=0)
    gold: Counter[str] = Counter()
    covered: Counter[str] = Counter()
    misses: list[tuple[str, str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        text = record["text"]
        findings = scanner.find(text)
        for value, label in _pairs(record.get("NER", [])):
            start = text.find(value)
            if start < 0:
                continue  # a label whose value is not in the text as written
            end = start + len(value)
            gold[label] += 1
            if any(f.start <= start and end <= f.end for f in findings):
                covered[label] += 1
            else:
                misses.append((label, value, text))
    return gold, covered, misses


def main(argv: Sequence[str] | None = None) -> None:
    """Print recall per label and some misses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--misses", type=int, default=0, help="misses to print")
    args = parser.parse_args(argv)
    gold, covered, misses = score_file(args.file)
    for label in sorted(gold):
        print(f"{label:<16}{gold[label]:>5}  covered {100 * covered[label] / gold[label]:6.1f} %")
    total = sum(gold.values())
    print(f"{'all':<16}{total:>5}  covered {100 * sum(covered.values()) / total:6.1f} %")
    for label, value, text in misses[: args.misses]:
        print(f"  miss {label}: {value!r} in {text[:100]!r}")


if __name__ == "__main__":
    main()
