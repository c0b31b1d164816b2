"""`logwarden redact` holds a bounded amount of memory whatever its input (issue 10).

The documented bound (README): peak RSS per process under 300 MB plus 4 times the policy's
event limit. Each case runs redact in a fresh process and reads the peak resident set of
the largest process it started (`RUSAGE_CHILDREN` of a wrapper whose only child is redact,
so that pool workers, waited for by redact, count too).
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

EVENT_LIMIT = 1 << 20  # the default policy's max_event_bytes
BOUND_KIB = (300 * 1000 * 1000 + 4 * EVENT_LIMIT) // 1024

_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)



def _peak_rss_kib(source: Path, out: Path, workers: int) -> tuple[int, int]:
    command = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "streams", "redact",
               str(source), "--out", str(out), "--quiet", "--workers", str(workers)]
    done = subprocess.run(command, capture_output=True, check=True, timeout=240)
    code, peak = done.stdout.split()
    return int(code), int(peak)


@pytest.mark.parametrize("workers", [1, 2])
def test_redact_memory_is_bounded_on_hostile_inputs(tmp_path: Path, workers: int) -> None:
    # One 256 MiB line of zeros in a 1 MB gzip, then 200 lines of 2 MB: neither the long
    # line nor a batch of long lines may be held whole.
    source = tmp_path / "hostile.jsonl.gz"
    with source.open("wb") as handle:
        zeros = gzip.compress(b"0" * (1 << 20), compresslevel=9)
        for _ in range(256):
            handle.write(zeros)
        long_line = gzip.compress(b'{"m": "' + b"a" * 2_000_000 + b'"}\n', compresslevel=9)
        for _ in range(200):
            handle.write(long_line)
        handle.write(gzip.compress(b'{"user_id": "u-1", "message": "ok"}\n'))
    assert source.stat().st_size < 4_000_000
    code, peak = _peak_rss_kib(source, tmp_path / "out", workers)
    assert code == 0
    assert peak < BOUND_KIB, f"peak RSS {peak} KiB over the documented {BOUND_KIB} KiB"
    dead = (tmp_path / "out" / "deadletter.jsonl").read_bytes().splitlines()
    assert len(dead) == 200  # the zeros and the first long line share a line
    assert all(b'"too_large"' in line for line in dead)
    assert len((tmp_path / "out" / "analytics.jsonl").read_bytes().splitlines()) == 1
