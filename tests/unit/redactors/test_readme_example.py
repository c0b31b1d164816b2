"""The README's embedded-mode example runs as written (a doctest)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def test_embedded_example_in_the_readme_runs() -> None:
    section = README.read_text("utf-8").split("### Embedded mode", 1)[1]
    block = re.search(r"```pycon\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the Embedded mode section has no pycon example"
    test = doctest.DocTestParser().get_doctest(block.group(1), {}, "README", str(README), 0)
    assert test.examples
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
