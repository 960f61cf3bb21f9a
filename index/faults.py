"""What can go wrong with an index on disk, told as a problem its user can act on."""

from __future__ import annotations

import errno
import functools
import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .schema import DB_FILE


class IndexProblem(RuntimeError):
    """Base for index problems a user can act on."""


class IndexMismatch(IndexProblem):
    """The index on disk was built with another model or format."""


class IndexBusy(IndexProblem):
    """Another process is writing to the index."""


class IndexMissing(IndexProblem):
    """There is no index at the given folder yet."""


class IndexReadOnly(IndexProblem):
    """The index folder or its files cannot be written to."""


class IndexFull(IndexProblem):
    """The device holding the index has no space left."""


class IndexCorrupt(IndexProblem):
    """The database file is damaged."""


def storage_problem(error: Exception, directory: Path, db: Path) -> IndexProblem | None:
    """What a storage error raised under ``directory`` means to its user, or None if it is
    no storage fault. SQLite says "unable to open" for a missing folder and a read-only one
    alike, so those are told apart by looking at the folder."""
    name = getattr(error, "sqlite_errorname", "")
    code = getattr(error, "errno", None)
    if name == "SQLITE_FULL" or code in (errno.ENOSPC, errno.EDQUOT):
        return IndexFull(
            f"no space left on the device holding the index at {directory}: free some "
            "space and retry (no article was changed)"
        )
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or (
        isinstance(error, sqlite3.DatabaseError) and "malformed" in str(error)
    ):
        return IndexCorrupt(
            f"the index database {db} is damaged ({error}): check it with `qa check`, then "
            "rebuild it with `qa index --rebuild PATH` (the damaged folder is kept beside it)"
        )
    if code in (errno.EROFS, errno.EPERM, errno.EACCES):  # a file or folder refused us
        return IndexReadOnly(
            f"the index at {directory} is read-only ({getattr(error, 'strerror', error)}): "
            "make it writable (chattr -i, a read-write mount, or its owner's permissions) "
            "and retry"
        )
    if not Path(directory).is_dir() or code == errno.ENOENT and not db.exists():
        return IndexMissing(f"the index folder {directory} is gone: build one with `qa index PATH`")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR")):
        why = unwritable(Path(directory), [db])
        if why or name.startswith("SQLITE_READONLY"):
            return IndexReadOnly(
                f"the index at {directory} is read-only ({why or error}): make it writable "
                "(chattr -i, a read-write mount, or its owner's permissions) and retry"
            )
        if name.startswith("SQLITE_IOERR"):
            return IndexProblem(f"the disk holding {directory} failed to read or write: {error}")
    return None


def unwritable(directory: Path, files: list[Path]) -> str | None:
    """Why nothing can be written in ``directory`` or to ``files`` (by trying to create a
    file), or None if it can."""
    probe = directory / f".probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        probe.touch()
        probe.unlink()
    except OSError as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            return None
        return e.strerror or str(e)
    # Never opened to find out: closing any handle on the database drops the locks
    # SQLite holds on it in this process (POSIX locks are per process, not per handle).
    for path in files:
        if path.exists() and not os.access(path, os.W_OK):
            return f"{path.name} is not writable"
    return None


_F = TypeVar("_F", bound=Callable[..., Any])


def storage_errors(method: _F) -> _F:
    """Raise a storage fault from a method of ``Store`` (an object with the index folder
    as ``dir``) as the ``IndexProblem`` it means."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as e:
            problem = storage_problem(e, self.dir, self.dir / DB_FILE)
            if problem is None:
                raise
            raise problem from e

    return wrapper  # type: ignore[return-value]
