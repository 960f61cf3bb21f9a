"""Keeping the chunks' lexical index (lexical.py, in the folder ``lexical``) at the
stored generation: each write brings it one generation on, in a commit of its own after
SQLite's; if it is found behind (a write died between the two), every chunk is indexed
afresh."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from .faults import IndexProblem, storage_errors
from .lexical import LexicalIndex

log = logging.getLogger(__name__)

LEXICAL_DIR = "lexical"


class StoreLexical:
    """The lexical side of ``Store`` (store.py)."""

    dir: Path
    _db: sqlite3.Connection
    _lexical: LexicalIndex | None
    generation: Callable[[], int]  # (reading.py)

    @storage_errors
    def lexical(self) -> LexicalIndex:
        """The chunks' lexical index, opened (or created) on first use."""
        if self._lexical is None:
            self._lexical = LexicalIndex(self.dir / LEXICAL_DIR)
        return self._lexical

    @storage_errors
    def sync_lexical(self) -> bool:
        """Index every chunk afresh if the lexical index is not at the stored generation
        (a write died between its two commits, or the index predates it); True if it was
        not. Call it holding the write lock."""
        from .terms import lexical_terms  # (bm25s's stop words: only when there is text)

        lexical, generation = self.lexical(), self.generation()
        if lexical.committed_generation() == generation:
            return False
        rows = self._db.execute(
            'SELECT c.rowid, substr(d.text, c.start + 1, c."end" - c.start) FROM chunks c '
            "JOIN documents d ON d.doc_id = c.doc_id"
        ).fetchall()
        try:
            lexical.rebuild(((r, lexical_terms(t)) for r, t in rows), generation)
        finally:
            lexical.close()
        return True

    def _index_terms(
        self, generation: int, deletes: list[int], adds: list[tuple[int, list[str]]]
    ) -> None:
        """Bring the lexical index from ``generation - 1`` to ``generation``."""
        try:
            lexical = self.lexical()
            if lexical.committed_generation() != generation - 1:
                self.sync_lexical()
                return
            try:
                lexical.write(adds, deletes, generation)
            finally:
                lexical.close()  # its lock and merges are the write's: none outlive it
        except IndexProblem as e:
            # The articles are stored (SQLite committed); only their words are not yet
            # searchable. The next write, or the next service to start, indexes them.
            log.warning("the lexical index stays at an older generation: %s", e)
