"""Which splitters the stored articles were cut with: the version (chunk.CUT_VERSION) the
index notes in its meta table, so that `qa index` can say when a newer version would cut
them differently, and `qa index --recut` can note that it has."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager

from .chunk import CUT_VERSION
from .faults import storage_errors


def cut_noted() -> tuple[str, str]:
    """The meta row saying every stored article is cut by today's splitters."""
    return ("cut", str(CUT_VERSION))


def note_cut_in(db: sqlite3.Connection) -> None:
    """Note, in the transaction open on ``db``, that every stored article is cut by
    today's splitters."""
    db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", cut_noted())


class StoreCut:
    """The cut version of ``Store`` (store.py)."""

    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

    @storage_errors
    def cut_version(self) -> int:
        """The version of the splitters the stored articles were all cut with: 1 for an
        index older than the note."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'cut'").fetchone()
        return int(row[0]) if row else 1

    @storage_errors
    def note_cut(self) -> None:
        """Note that every stored article is cut by today's splitters (for an index with
        no articles, which a re-cut has nothing to write to)."""
        with self._transaction() as db:
            note_cut_in(db)
