"""Routing in several processes, in input order, with no module state.

Each process builds its own router once (a closure inherited through fork, never pickled)
and holds one batch at a time: batch k goes to process k mod N, so the results come back
in input order and no more than N batches are ever read ahead (`Pool.imap` would read the
whole input into memory if the processes fall behind).
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from multiprocessing.context import ForkProcess
from types import TracebackType

from redactors.errors import LogwardenError
from streams.embedded.routing import LineRouter, RoutedLine

__all__ = ["RoutingError", "RoutingPool"]

_Chunk = list[tuple[int, bytes]]
_JOIN_SECONDS = 10.0


class RoutingError(LogwardenError):
    """A routing process failed or exited; the message names the error type only."""


def _serve(conn: Connection, make_router: Callable[[], LineRouter]) -> None:
    """A routing process: batches in, routed lines out, until None."""
    try:
        router = make_router()
        while (chunk := conn.recv()) is not None:
            conn.send(router.route_chunk(chunk))
    except Exception as exc:  # reported by type: a message could quote input
        conn.send(type(exc).__name__)
    finally:
        conn.close()


class RoutingPool:
    """N forked processes, each with the router `make_router` builds in it."""

    def __init__(self, processes: int, make_router: Callable[[], LineRouter]) -> None:
        context = multiprocessing.get_context("fork")
        self._conns: list[Connection] = []
        self._procs: list[ForkProcess] = []
        for _ in range(processes):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, make_router), daemon=True)
            process.start()
            theirs.close()
            self._conns.append(ours)
            self._procs.append(process)

    def route(self, chunks: Iterable[_Chunk]) -> Iterator[RoutedLine]:
        """Every routed line of `chunks`, in input order."""
        n = len(self._conns)
        sent = 0
        received = 0
        for chunk in chunks:
            if sent >= n:  # the process for this batch is busy with batch sent - n
                yield from self._result(received)
                received += 1
            self._conns[sent % n].send(chunk)
            sent += 1
        while received < sent:
            yield from self._result(received)
            received += 1

    def _result(self, index: int) -> list[RoutedLine]:
        try:
            found = self._conns[index % len(self._conns)].recv()
        except EOFError:
            raise RoutingError("a routing process exited") from None
        if isinstance(found, str):
            raise RoutingError(f"a routing process failed: {found}")
        result: list[RoutedLine] = found
        return result

    def close(self, *, abort: bool = False) -> None:
        """Stop the processes; `abort` does not wait for the batches they hold."""
        for conn in self._conns:
            with contextlib.suppress(OSError):  # that process is gone already
                conn.send(None)
            conn.close()
        for process in self._procs:
            if abort:
                process.terminate()
            process.join(_JOIN_SECONDS)
            if process.is_alive():
                process.terminate()
                process.join()

    def __enter__(self) -> RoutingPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close(abort=exc is not None)
