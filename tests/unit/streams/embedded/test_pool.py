"""RoutingPool: input order across processes, and failures reported by type only."""

from __future__ import annotations

from typing import cast

import pytest

from streams.embedded.pool import RoutingError, RoutingPool
from streams.embedded.routing import LineRouter, RoutedLine


class _Echo:
    """A router stand-in: each line's number comes back as its outcome."""

    def __init__(self, fail_on: int | None = None) -> None:
        self._fail_on = fail_on

    def route_chunk(self, chunk: list[tuple[int, bytes]]) -> list[RoutedLine]:
        if any(number == self._fail_on for number, _ in chunk):
            raise ValueError("secret@example.com")
        return [RoutedLine(str(n), None, raw, None, None, (), None) for n, raw in chunk]


def _chunks(count: int, size: int) -> list[list[tuple[int, bytes]]]:
    return [[(i * size + j, b"x") for j in range(size)] for i in range(count)]


@pytest.mark.parametrize("processes", [1, 3])
def test_results_come_back_in_input_order(processes: int) -> None:
    with RoutingPool(processes, lambda: cast(LineRouter, _Echo())) as pool:
        outcomes = [line.outcome for line in pool.route(_chunks(10, 7))]
    assert outcomes == [str(n) for n in range(70)]


def test_a_failing_process_is_an_error_naming_the_type_only() -> None:
    with (pytest.raises(RoutingError, match="failed: ValueError") as caught,
          RoutingPool(2, lambda: cast(LineRouter, _Echo(fail_on=30))) as pool):
        list(pool.route(_chunks(10, 7)))
    assert "example.com" not in str(caught.value)
