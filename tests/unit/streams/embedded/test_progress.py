"""`logwarden redact`'s progress bar: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner

from streams.cli import cli
from streams.embedded.progress import LineProgress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run_bar(stream: io.StringIO) -> LineProgress:
    lines = [b'{"path": "/a"}'] * 1000
    with LineProgress(sum(len(x) + 1 for x in lines), stream=stream) as bar:
        for n, _line in enumerate(bar.count_bytes(iter(lines)), 1):
            bar.update(n, {"analytics": n, "deadletter:bad_json": 0, "dropped": 0},
                       force=n == 1000)
    return bar


def test_a_terminal_gets_events_bytes_rate_and_routes():
    out = FakeTerminal()
    bar = run_bar(out)
    assert bar.enabled
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "1,000 events" in text
    assert "/s" in text
    assert "analytics 1,000" in text
    assert "dropped 0" in text
    assert "bad_json" not in text  # reasons stay in the summary, not on the bar
    assert "/15.0 kB" in text
    assert bar.bytes_read == 15_000


def test_silent_when_not_a_terminal():
    out = io.StringIO()
    bar = run_bar(out)
    assert not bar.enabled
    assert out.getvalue() == ""
    assert bar.bytes_read == 15_000  # counted all the same


def test_redact_writes_no_bar_when_stderr_is_not_a_terminal(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"path": "/p?q=1"}\n' * 50)
    result = CliRunner().invoke(cli, ["redact", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "events: 50" in result.output
    assert "\x1b[" not in result.output
    assert "━" not in result.output


def test_export_counts_records_live_on_a_terminal_and_once_at_the_end():
    from streams.commands.export import ReadCounter

    live, plain = FakeTerminal(), io.StringIO()
    for stream in (live, plain):
        counter = ReadCounter(stream)
        for total in (500, 1200, 2500):
            counter(total)
        counter.done()
    assert live.getvalue().count("\r") == 4
    assert live.getvalue().endswith("\rread 2,500 records\n")
    assert plain.getvalue() == "read 2,500 records\n"
