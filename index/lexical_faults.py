"""Tantivy's errors told as the IndexProblem each means to the index's user."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .faults import (
    IndexBusy,
    IndexCorrupt,
    IndexFull,
    IndexMismatch,
    IndexProblem,
    IndexReadOnly,
)

_OS_ERROR = re.compile(r"\bcode: (\d+)")


@contextmanager
def told(directory: Path) -> Iterator[None]:
    """Raise tantivy's errors inside as the IndexProblem they mean to the index's user."""
    try:
        yield
    except BaseException as e:
        problem = _problem(e, directory)
        if problem is None:
            raise
        raise problem from e


def mismatch(directory: Path) -> IndexMismatch:
    return IndexMismatch(
        f"the lexical index at {directory} has another layout than this version writes: "
        "rebuild it from the stored articles"
    )


def _problem(error: BaseException, directory: Path) -> IndexProblem | None:
    """What ``error`` means to the index's user, or None if it is not tantivy's. Tantivy
    reports everything as a ValueError with its Rust error in the text, and a damaged file
    can make it panic (pyo3's PanicException, a BaseException)."""
    text = str(error)
    panic = type(error).__name__ == "PanicException"
    if isinstance(error, IndexProblem) or not (
        panic
        or isinstance(error, OSError)
        or (isinstance(error, ValueError) and re.search(_TANTIVY, text))
    ):
        return None
    if isinstance(error, OSError):
        code = error.errno
    else:
        found = _OS_ERROR.search(text)
        code = int(found.group(1)) if found else None
    if "LockBusy" in text:
        return IndexBusy(
            f"another writer holds the lexical index at {directory}: wait for it to finish"
        )
    if "schema does not match" in text:
        return mismatch(directory)
    if code in (errno.ENOSPC, errno.EDQUOT):
        return IndexFull(
            f"no space left on the device holding the lexical index at {directory}: free "
            "some space and retry"
        )
    if code in (errno.EROFS, errno.EPERM, errno.EACCES):
        return IndexReadOnly(
            f"the lexical index at {directory} is read-only ({text}): make it writable and retry"
        )
    if panic or re.search(r"Data corrupt|FileDoesNotExist|InvalidData", text):
        return IndexCorrupt(
            f"the lexical index at {directory} is damaged ({text}): rebuild it from the "
            "stored articles"
        )
    return IndexProblem(f"the lexical index at {directory} failed: {text}")


# How tantivy's errors begin (tantivy::TantivyError's messages), as the binding words them.
_TANTIVY = (
    r"An IO error occurred|An error occurred|Failed to|Data corrupted|Schema error|"
    r"Index already exists|A thread holding|An invalid argument|System error|Internal error|"
    r"Incompatib"
)
