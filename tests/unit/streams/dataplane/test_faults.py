"""The fault hook: raises once, on the configured call, and only when configured."""

from __future__ import annotations

import pytest

from redactors.errors import LogwardenError
from streams.dataplane.faults import FaultInjector, InjectedFault


def test_unset_never_raises():
    inject = FaultInjector.parse(None)
    for _ in range(1000):
        inject()


def test_raises_once_on_the_nth_call():
    inject = FaultInjector.parse("before-commit:3")
    inject()
    inject()
    with pytest.raises(InjectedFault):
        inject()
    for _ in range(10):
        inject()


@pytest.mark.parametrize("spec", ["before-commit:0", "before-commit:", "after:1", "3", ""])
def test_a_bad_spec_is_refused(spec):
    with pytest.raises(LogwardenError, match="before-commit:N"):
        FaultInjector.parse(spec)
