"""The stored index: one folder holding a SQLite database and a manifest.

SQLite is the single source of truth: documents (original text), their chunk and
sentence spans, and every vector, keyed by the hash of the text it embeds (so no text
is ever embedded twice). Each update is one transaction, so a crash at any point leaves
the index as it was before, and bumps ``generation`` so that readers know to reload.

The chunks' lexical index (index/lexical.py, in the folder ``lexical``) follows each
update with a commit of its own, after SQLite's. If a write dies between the two, the
lexical index is behind; the next write, or ``sync_lexical``, indexes every chunk afresh.

This module opens the folder and writes; reading.py reads (the snapshot a reader loads),
cache.py keeps the vectors and entities by text hash, lexical_sync.py keeps the lexical
index at the stored generation, files.py tells whether the folder still holds the
database this store opened, reprints.py decides reprints.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .cache import StoreCache
from .cut import StoreCut, cut_noted, note_cut_in
from .faults import IndexMismatch, IndexMissing, storage_errors
from .files import StoreFiles, file_id
from .lexical import LexicalIndex
from .lexical_sync import StoreLexical
from .lock import write_lock
from .reading import StoreReading
from .reprints import detect_duplicates
from .schema import DB_FILE, SCHEMA
from .stored import (
    Entry,
    Fingerprint,
    Rows,
    Snapshot,
    StoredDocument,
    norm_hash,
    text_hash,
)

__all__ = [
    "Entry",
    "Fingerprint",
    "Rows",
    "Snapshot",
    "Store",
    "StoredDocument",
    "norm_hash",
    "text_hash",
]

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"


# Generations of changes kept; a reader further behind than this loads everything afresh.
CHANGE_LOG_GENERATIONS = 10_000


class Store(StoreCache, StoreReading, StoreFiles, StoreLexical, StoreCut):
    """Read and write one index folder."""

    @storage_errors
    def __init__(self, directory: Path, model: str, dim: int, create: bool = True) -> None:
        self.dir = Path(directory)
        db = self.dir / DB_FILE
        if not db.exists() and not create:
            raise IndexMissing(f"no index at {self.dir}: build one with `qa index PATH`")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.model, self.dim = model, dim
        self._db = sqlite3.connect(db, isolation_level=None, check_same_thread=False, timeout=30)
        self._file = file_id(db)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self._check_manifest()
        self._lexical: LexicalIndex | None = None

    # -- manifest ---------------------------------------------------------------
    def _check_manifest(self) -> None:
        want = {"model": self.model, "dim": str(self.dim), "format": str(FORMAT_VERSION)}
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if not meta:
            with self._transaction() as db:
                # OR IGNORE: two processes creating one index at once agree on one meta.
                db.executemany(
                    "INSERT OR IGNORE INTO meta VALUES (?, ?)",
                    [
                        *want.items(),
                        ("generation", "0"),
                        ("index_id", uuid.uuid4().hex),
                        cut_noted(),
                    ],
                )
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        if "log_start" not in meta:  # an index older than the change log: it starts now
            with self._transaction() as db:
                db.execute(
                    "INSERT OR IGNORE INTO meta SELECT 'log_start', value FROM meta "
                    "WHERE key = 'generation'"
                )
                db.execute(
                    "INSERT OR IGNORE INTO meta SELECT 'next_chunk', COALESCE(MAX(rowid), 0) + 1 "
                    "FROM chunks"
                )
        # Which index this is: a folder restored or rebuilt in place holds another one.
        self.index_id = meta.get("index_id")
        found = {k: meta.get(k) for k in want}
        if found != want:
            raise IndexMismatch(
                f"the index at {self.dir} was built with model {found['model']} "
                f"(dim {found['dim']}, format {found['format']}), not {self.model} "
                f"(dim {self.dim}, format {FORMAT_VERSION}): rebuild it with "
                "`qa index --rebuild PATH`"
            )
        manifest = self.dir / MANIFEST_FILE
        if not manifest.exists():  # written after the database, so a crash may leave none
            tmp = manifest.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(want, indent=2) + "\n")
            os.replace(tmp, manifest)

    @classmethod
    def read_manifest(cls, directory: Path) -> dict[str, str]:
        path = Path(directory) / MANIFEST_FILE
        if not path.exists():
            raise IndexMissing(f"no index at {directory}: build one with `qa index PATH`")
        return json.loads(path.read_text())

    # -- writing ----------------------------------------------------------------
    def writer(self, wait: float = 10.0) -> AbstractContextManager[None]:
        """Hold the index's write lock; another writer waits up to ``wait`` seconds."""
        return write_lock(self.dir, self.dir / DB_FILE, wait)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            if self._db.in_transaction:  # SQLite rolls back by itself on some errors (disk full)
                self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @storage_errors
    def write(
        self, entries: Iterable[Entry] = (), deletes: Iterable[str] = (), replace_all: bool = False
    ) -> int:
        """Add or replace ``entries`` and delete ``deletes`` (with ``replace_all``: every
        document not among ``entries``), all in one transaction. Returns the new generation.

        A replaced document keeps its place in the order of arrival, which decides which
        of two reprints is the original.
        """
        from .terms import lexical_terms  # (bm25s's stop words: only when there is text)

        entries = list(entries)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        gone: list[int] = []  # ids of the chunks deleted or replaced
        added: list[tuple[int, list[str]]] = []  # (chunk id, its terms) of the new ones
        with self._transaction() as db:
            if replace_all:
                keep = {e.article.doc_id for e in entries}
                stored = [d for (d,) in db.execute("SELECT doc_id FROM documents")]
                deletes = [d for d in stored if d not in keep]
            touched: set[str] = set()  # documents whose old spans are gone
            old_hashes: set[str] = set()  # the texts those spans embedded
            for doc_id in deletes:
                old_hashes |= self._span_hashes(doc_id)
                gone += self._chunk_ids(doc_id)
                if db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount:
                    touched.add(doc_id)
            for e in entries:
                old_hashes |= self._span_hashes(e.article.doc_id)
                gone += self._chunk_ids(e.article.doc_id)
                replaced, first = self._put(e, now)
                if replaced:
                    touched.add(e.article.doc_id)
                text = e.article.text
                added += [
                    (first + i, lexical_terms(text[s:end]))
                    for i, (s, end, _) in enumerate(e.chunks)
                ]
            written = {e.article.doc_id for e in entries}
            redecided = self._detect_duplicates(written, touched)
            if replace_all:  # also sweep vectors cached by updates that never completed
                db.execute(
                    "DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM chunks) "
                    "AND hash NOT IN (SELECT hash FROM sentences)"
                )
                db.execute("DELETE FROM entities WHERE hash NOT IN (SELECT hash FROM sentences)")
                # Every stored article was cut just now, by today's splitters.
                note_cut_in(db)
            else:
                self._drop_unused_vectors(old_hashes)
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
            generation = self.generation()
            self._log_changes(generation, set(deletes) | written | redecided)
        self._index_terms(generation, gone, added)
        return generation

    def _chunk_ids(self, doc_id: str) -> list[int]:
        query = "SELECT rowid FROM chunks WHERE doc_id = ?"
        return [r for (r,) in self._db.execute(query, (doc_id,))]

    def _log_changes(self, generation: int, doc_ids: set[str]) -> None:
        self._db.executemany(
            "INSERT INTO changes VALUES (?, ?)", [(generation, d) for d in sorted(doc_ids)]
        )
        oldest = generation - CHANGE_LOG_GENERATIONS
        if oldest > 0:
            self._db.execute("DELETE FROM changes WHERE generation <= ?", (oldest,))
            self._db.execute(
                "UPDATE meta SET value = MAX(CAST(value AS INTEGER), ?) WHERE key = 'log_start'",
                (oldest,),
            )

    def _put(self, e: Entry, now: str) -> tuple[bool, int]:
        """Insert or replace one document and its spans; whether it replaced one, and the
        id of its first chunk (the others follow it)."""
        a = e.article
        row = (
            a.title,
            a.published.isoformat() if a.published else None,
            a.source,
            a.outlet,
            a.author,
            a.text,
            json.dumps([[s.start, s.end] for s in a.body]),
            e.content_hash,
            now,
        )
        db = self._db
        replaced = db.execute(
            "UPDATE documents SET title = ?, published = ?, source = ?, outlet = ?, author = ?, "
            "text = ?, body = ?, content_hash = ?, indexed_at = ?, duplicate_of = NULL "
            "WHERE doc_id = ?",
            (*row, a.doc_id),
        ).rowcount
        if replaced:
            db.execute("DELETE FROM chunks WHERE doc_id = ?", (a.doc_id,))
            db.execute("DELETE FROM sentences WHERE doc_id = ?", (a.doc_id,))
        else:
            db.execute(
                "INSERT INTO documents (title, published, source, outlet, author, text, body, "
                "content_hash, indexed_at, doc_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*row, a.doc_id),
            )
        # Chunk ids are never reused, so that one names the same text in every generation
        # (the lexical index keys its documents by them).
        (first,) = db.execute("SELECT value FROM meta WHERE key = 'next_chunk'").fetchone()
        first = int(first)
        db.executemany(
            'INSERT INTO chunks (rowid, doc_id, ordinal, start, "end", hash) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(first + i, a.doc_id, i, *c) for i, c in enumerate(e.chunks)],
        )
        db.execute("UPDATE meta SET value = ? WHERE key = 'next_chunk'", (first + len(e.chunks),))
        db.executemany(
            'INSERT INTO sentences (doc_id, ordinal, start, "end", hash, norm) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(a.doc_id, i, *s) for i, s in enumerate(e.sentences)],
        )
        return bool(replaced), first

    def _span_hashes(self, doc_id: str) -> set[str]:
        return {
            h
            for (h,) in self._db.execute(
                "SELECT hash FROM chunks WHERE doc_id = ? UNION SELECT hash FROM sentences "
                "WHERE doc_id = ?",
                (doc_id, doc_id),
            )
        }

    def _detect_duplicates(self, written: set[str], touched: set[str]) -> set[str]:
        """Decide which documents are reprints (reprints.py); returns those decided."""
        return detect_duplicates(self._db, written, touched)

    def close(self) -> None:
        if self._lexical is not None:
            self._lexical.close()
        self._db.close()
