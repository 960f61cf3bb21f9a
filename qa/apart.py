"""Work done by a process of its own that sends back one answer: a big archive's first
build (building.py) and a big merge (merger.py). What it holds meanwhile (GBs at a million
chunks) is never the server's memory, and its Python work never holds the server's
interpreter lock. A process takes 0.4 s to start and import what it needs.

As with any spawned process, a script that starts a service must keep its own work under
`if __name__ == "__main__":`, or the process runs it again.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from .memory import c_library

PR_SET_PDEATHSIG = 1  # prctl's option (Linux)


class Apart:
    """``target(*args)`` run by a spawned process (``target`` a module's function)."""

    def __init__(self, target: Callable[..., Any], args: tuple, name: str) -> None:
        spawn = multiprocessing.get_context("spawn")  # forking a threaded process is unsafe
        self._receive, self._send = spawn.Pipe(duplex=False)
        self.process = spawn.Process(
            target=_run, args=(self._send, target, args), name=name, daemon=True
        )

    def start(self) -> None:
        self.process.start()
        self._send.close()  # the child's end: when it exits, receive sees the end

    def answer(self) -> Any:
        """What the process sent back once it has ended: what ``target`` returned, a line
        saying what failed, or None if it sent nothing (ended by a signal, say)."""
        try:
            return self._receive.recv()
        except EOFError:
            return None
        finally:
            self.close()
            self.process.join()

    def close(self) -> None:
        """Close this end of the pipe (and the child's, if it was never started)."""
        self._send.close()
        self._receive.close()


def _run(send: Connection, target: Callable[..., Any], args: tuple) -> None:
    """In the spawned process: ``target(*args)`` sent back, or what failed."""
    _end_with_parent()
    try:
        send.send(target(*args))
    except Exception as e:
        send.send(f"{type(e).__name__}: {e}")
        raise


def _end_with_parent() -> None:
    """Have the kernel end this process when the thread that started it ends (Linux's
    PR_SET_PDEATHSIG): a server killed while an archive is built or merged leaves no
    process doing it still, beside the one its restart starts."""
    libc = c_library()
    if libc is not None and hasattr(libc, "prctl"):
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
