"""Names in free text: logwarden without NER, with the NER stage, and Presidio with spaCy small.

Run: python -m benchmarks.eval_ner LABELED.jsonl LOGDIR [--lines 200]
(needs the `ner` extra: `pip install -e '.[ner]'`). LABELED.jsonl is a public labeled PII
set in eval_labeled's format; a value leaks when some character of it lies outside every
finding (whatever the finding's entity). LOGDIR holds `*.log` files (loghub samples): the
first `--lines` lines of each make a realistic log mix for speed, and the PERSON findings
on them show over-redaction (they hold almost no names). Speeds are per CPU second of this
process (`time.process_time`), so that other load on a shared machine does not skew them.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.eval_labeled import _pairs
from redactors.ner import MODEL_CANDIDATES
from redactors.scanner import FreeTextScanner

__all__ = ["main"]

Finder = Callable[[str], list[tuple[int, int, str]]]


def _ours(ner: bool) -> Finder:
    scanner = FreeTextScanner(ner=ner, cache_size=0)

    def find(text: str) -> list[tuple[int, int, str]]:
        return [(f.start, f.end, f.entity) for f in scanner.find(text)]

    return find


def _presidio(model: str) -> Finder:
    from benchmarks.presidio_offline import model_analyzer

    analyzer = model_analyzer(model)

    def find(text: str) -> list[tuple[int, int, str]]:
        return [(r.start, r.end, r.entity_type) for r in analyzer.analyze(text, language="en")]

    return find


def _leaks(find: Finder, records: list[tuple[str, list[tuple[str, str]]]]
           ) -> tuple[Counter[str], Counter[str], float]:
    gold: Counter[str] = Counter()
    leaked: Counter[str] = Counter()
    started = time.process_time()
    for text, pairs in records:
        findings = find(text)
        for value, label in pairs:
            start = text.find(value)
            if start < 0:
                continue
            gold[label] += 1
            end = start + len(value)
            if not any(s <= start and end <= e for s, e, _ in findings):
                leaked[label] += 1
    return gold, leaked, len(records) / (time.process_time() - started)


def _log_mix(directory: Path, lines: int) -> list[str]:
    mix: list[str] = []
    for path in sorted(directory.glob("*.log")):
        with path.open(encoding="utf-8", errors="replace") as handle:
            mix.extend(line.rstrip("\n") for _, line in zip(range(lines), handle, strict=False))
    return mix


def _on_logs(find: Finder, mix: list[str]) -> tuple[int, float]:
    started = time.process_time()
    persons = sum(1 for line in mix for *_, entity in find(line) if entity == "PERSON")
    return persons, len(mix) / (time.process_time() - started)


def main(argv: Sequence[str] | None = None) -> None:
    """Print leaks per label and speeds for the three systems."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("labeled", type=Path)
    parser.add_argument("logs", type=Path)
    parser.add_argument("--lines", type=int, default=200, help="lines per log file")
    args = parser.parse_args(argv)
    records = []
    for line in args.labeled.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            records.append((record["text"], _pairs(record.get("NER", []))))
    mix = _log_mix(args.logs, args.lines)
    model = next(m for m in MODEL_CANDIDATES if _installed(m))
    systems = {"logwarden": _ours(False), "logwarden+NER": _ours(True),
               f"presidio+{model}": _presidio(model)}
    results = {}
    for name, find in systems.items():
        find("warm up Alice Example at alice@example.com")
        results[name] = (*_leaks(find, records), *_on_logs(find, mix))
    labels = sorted(next(iter(results.values()))[0])
    print(f"{len(records)} labeled texts, {len(mix)} log lines; leaked values per label")
    print(f"{'label':<22}{'gold':>5}" + "".join(f"{n:>34}" for n in results))
    for label in labels:
        gold = results["logwarden"][0][label]
        print(f"{label:<22}{gold:>5}" + "".join(f"{r[1][label]:>34}" for r in results.values()))
    print(f"{'all':<22}{sum(results['logwarden'][0].values()):>5}"
          + "".join(f"{sum(r[1].values()):>34}" for r in results.values()))
    print("labeled texts/s       " + "".join(f"{r[2]:>34,.0f}" for r in results.values()))
    print("log lines/s           " + "".join(f"{r[4]:>34,.0f}" for r in results.values()))
    print("PERSON on log lines   " + "".join(f"{r[3]:>34}" for r in results.values()))


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


if __name__ == "__main__":
    main()
