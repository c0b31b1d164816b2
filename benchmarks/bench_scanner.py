"""Scanner throughput on clean and PII-bearing messages: first sight and repeated, one run.

Run: python -m benchmarks.bench_scanner [--n 20000] [--no-hyperscan]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence

from benchmarks.corpus import generate
from redactors.scanner import FreeTextScanner

__all__ = ["main", "rate"]


def rate(texts: Sequence[str], work: Callable[[str], object]) -> float:
    """Texts per second for one pass of `work` over `texts`."""
    started = time.perf_counter()
    for text in texts:
        work(text)
    elapsed = time.perf_counter() - started
    return len(texts) / elapsed if texts else float("nan")


def main(argv: Sequence[str] | None = None) -> None:
    """Print texts/s per kind of message."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000, help="events to generate")
    parser.add_argument("--no-hyperscan", action="store_true", help="use the `re` prefilter")
    args = parser.parse_args(argv)
    corpus = generate(args.n, seed=3)
    clean = [e.event["message"] for e in corpus if not e.message_spans]
    pii = [e.event["message"] for e in corpus if e.message_spans]
    fields = [e.event["url"] for e in corpus] + [e.event["headers"]["Cookie"] for e in corpus]
    scanner = FreeTextScanner(cache_size=len(clean) + len(pii) + len(fields) + 1,
                              use_hyperscan=not args.no_hyperscan)  # fmt: skip
    print(f"{'messages':<28}{'count':>8}{'first pass/s':>14}{'repeated/s':>14}")
    for label, texts in (("clean", clean), ("with PII", pii), ("url + cookie fields", fields)):
        first = rate(texts, scanner.find)  # every text new: prefilter, detectors, validators
        again = rate(texts, scanner.find)  # every text seen: the LRU cache answers
        print(f"{label:<28}{len(texts):>8}{first:>14,.0f}{again:>14,.0f}")


if __name__ == "__main__":
    main()
