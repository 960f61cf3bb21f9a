"""The texts' cache in the stored index: each vector and each sentence's named entities,
kept by the hash of the text they were found for, so that no text is embedded or read
for names twice, and dropped when no span uses their text any more."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np

from .faults import storage_errors
from .stored import parts


class StoreCache:
    """The vectors and entities of ``Store`` (store.py), by text hash."""

    dir: Path
    _db: sqlite3.Connection
    _transaction: Callable[[], AbstractContextManager[sqlite3.Connection]]

    def _missing(self, table: str, hashes: Iterable[str]) -> set[str]:
        """The text hashes ``table`` (vectors or entities) holds nothing for yet."""
        assert table in ("vectors", "entities")
        wanted = set(hashes)
        have: set[str] = set()
        for part in parts(sorted(wanted)):
            marks = ",".join("?" * len(part))
            query = f"SELECT hash FROM {table} WHERE hash IN ({marks})"
            have.update(h for (h,) in self._db.execute(query, part))
        return wanted - have

    @storage_errors
    def missing_vectors(self, hashes: Iterable[str]) -> set[str]:
        return self._missing("vectors", hashes)

    @storage_errors
    def put_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        """Cache vectors by text hash. Committed on their own: a retried update reuses them."""
        rows = [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()]
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)

    @storage_errors
    def missing_entities(self, hashes: Iterable[str]) -> set[str]:
        """The sentence hashes whose entities have not been found yet."""
        return self._missing("entities", hashes)

    @storage_errors
    def sentences_without_entities(self) -> dict[str, str]:
        """Stored sentences whose entities were never found (an index built before they
        were), as hash -> text."""
        rows = self._db.execute(
            'SELECT s.hash, substr(d.text, s.start + 1, s."end" - s.start) FROM sentences s '
            "JOIN documents d ON d.doc_id = s.doc_id "
            "WHERE s.hash NOT IN (SELECT hash FROM entities)"
        )
        return dict(rows.fetchall())

    @storage_errors
    def put_entities(self, spans: dict[str, list[tuple[int, int, str]]]) -> None:
        """Store each sentence's entities by its hash; committed on their own, like vectors."""
        rows = [(h, json.dumps(v, separators=(",", ":"))) for h, v in spans.items()]
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO entities VALUES (?, ?)", rows)

    def _drop_unused_vectors(self, hashes: set[str]) -> None:
        """Drop the vectors of ``hashes`` that no span refers to any more (old texts)."""
        for part in parts(sorted(hashes)):
            marks = ",".join("?" * len(part))
            self._db.execute(
                f"DELETE FROM vectors WHERE hash IN ({marks}) "
                "AND hash NOT IN (SELECT hash FROM chunks) "
                "AND hash NOT IN (SELECT hash FROM sentences)",
                part,
            )
            self._db.execute(
                f"DELETE FROM entities WHERE hash IN ({marks}) "
                "AND hash NOT IN (SELECT hash FROM sentences)",
                part,
            )
