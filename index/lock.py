"""The write lock of an index folder: one writer at a time, across processes."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .faults import IndexBusy, storage_problem

LOCK_FILE = "write.lock"


@contextmanager
def write_lock(directory: Path, db_file: Path, wait: float) -> Iterator[None]:
    """Hold the index's write lock; another writer waits up to ``wait`` seconds.

    The lock is a flock, so the kernel drops it when its holder dies, even by SIGKILL.
    """
    try:
        lock = open(directory / LOCK_FILE, "a+")  # noqa: SIM115 (closed by the with below)
    except OSError as e:
        raise storage_problem(e, directory, db_file) or e from e
    with lock:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    lock.seek(0)
                    holder = lock.read().strip() or "unknown"
                    raise IndexBusy(
                        f"another process (pid {holder}) is updating the index at "
                        f"{directory}; try again when it has finished"
                    ) from None
                time.sleep(0.05)
        try:
            lock.truncate(0)
            lock.write(f"{os.getpid()}\n")
            lock.flush()
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
