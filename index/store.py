"""The stored index: one folder holding a SQLite database and a manifest.

SQLite is the single source of truth: documents (original text), their chunk and
sentence spans, and every vector, keyed by the hash of the text it embeds (so no text
is ever embedded twice). Each update is one transaction, so a crash at any point leaves
the index as it was before, and bumps ``generation`` so that readers know to reload.
The FAISS and BM25 indexes are built from it in memory when a reader loads it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import numpy as np

from .records import Article, Span

FORMAT_VERSION = 1
DB_FILE = "index.sqlite3"
MANIFEST_FILE = "manifest.json"
LOCK_FILE = "write.lock"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    published TEXT,
    source TEXT,
    outlet TEXT,
    author TEXT,
    text TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    duplicate_of TEXT,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    hash TEXT NOT NULL,
    norm TEXT NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE INDEX IF NOT EXISTS sentences_norm ON sentences(norm);
CREATE INDEX IF NOT EXISTS sentences_hash ON sentences(hash);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(hash);
"""


class IndexError_(RuntimeError):
    """Base for index problems a user can act on."""


class IndexMismatch(IndexError_):
    """The index on disk was built with another model or format."""


class IndexBusy(IndexError_):
    """Another process is writing to the index."""


class IndexMissing(IndexError_):
    """There is no index at the given folder yet."""


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def norm_hash(text: str) -> str:
    """Hash of a sentence with case, punctuation and spacing ignored (reprints differ there)."""
    words = "".join(ch.lower() if ch.isalnum() else " " for ch in text).split()
    return text_hash(" ".join(words))


@dataclass(frozen=True)
class StoredDocument:
    doc_id: str
    title: str
    published: date | None
    source: str | None
    outlet: str | None
    author: str | None
    text: str
    body: tuple[Span, ...]
    content_hash: str
    duplicate_of: str | None
    chunks: int = 0


@dataclass(frozen=True)
class Entry:
    """One article ready to store: its spans and the hash of each span's text."""

    article: Article
    content_hash: str
    chunks: tuple[tuple[int, int, str], ...]  # (start, end, text hash)
    sentences: tuple[tuple[int, int, str, str], ...]  # (start, end, text hash, norm hash)


class Store:
    """Read and write one index folder."""

    def __init__(self, directory: Path, model: str, dim: int, create: bool = True) -> None:
        self.dir = Path(directory)
        db = self.dir / DB_FILE
        if not db.exists() and not create:
            raise IndexMissing(f"no index at {self.dir}: build one with `qa index PATH`")
        self.dir.mkdir(parents=True, exist_ok=True)
        self.model, self.dim = model, dim
        self._db = sqlite3.connect(db, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._check_manifest()

    # -- manifest ---------------------------------------------------------------
    def _check_manifest(self) -> None:
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        want = {"model": self.model, "dim": str(self.dim), "format": str(FORMAT_VERSION)}
        if not meta:
            with self._transaction():
                self._db.executemany(
                    "INSERT INTO meta VALUES (?, ?)", [*want.items(), ("generation", "0")]
                )
            (self.dir / MANIFEST_FILE).write_text(
                json.dumps({k: want[k] for k in want}, indent=2) + "\n"
            )
            return
        found = {k: meta.get(k) for k in want}
        if found != want:
            raise IndexMismatch(
                f"the index at {self.dir} was built with model {found['model']} "
                f"(dim {found['dim']}, format {found['format']}), not {self.model} "
                f"(dim {self.dim}, format {FORMAT_VERSION}): rebuild it with "
                "`qa index --rebuild PATH`"
            )

    @classmethod
    def read_manifest(cls, directory: Path) -> dict[str, str]:
        path = Path(directory) / MANIFEST_FILE
        if not path.exists():
            raise IndexMissing(f"no index at {directory}: build one with `qa index PATH`")
        return json.loads(path.read_text())

    # -- writing ----------------------------------------------------------------
    @contextmanager
    def writer(self, wait: float = 10.0) -> Iterator[None]:
        """Hold the index's write lock; another writer waits up to ``wait`` seconds."""
        with open(self.dir / LOCK_FILE, "w") as lock:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexBusy(
                            f"another process is updating the index at {self.dir}; "
                            "try again when it has finished"
                        ) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def missing_vectors(self, hashes: Iterable[str]) -> set[str]:
        wanted = set(hashes)
        have = set()
        keys = list(wanted)
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            marks = ",".join("?" * len(part))
            have.update(
                h for (h,) in self._db.execute(f"SELECT hash FROM vectors WHERE hash IN ({marks})", part)
            )
        return wanted - have

    def put_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        """Cache vectors by text hash. Committed on their own: a retried update reuses them."""
        rows = [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()]
        with self._transaction() as db:
            db.executemany("INSERT OR IGNORE INTO vectors VALUES (?, ?)", rows)

    def write(self, entries: Iterable[Entry] = (), deletes: Iterable[str] = ()) -> int:
        """Add or replace ``entries`` and delete ``deletes``, all at once. Returns the generation."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        changed = 0
        with self._transaction() as db:
            for doc_id in deletes:
                changed += db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,)).rowcount
            for e in entries:
                a = e.article
                changed += db.execute(
                    "DELETE FROM documents WHERE doc_id = ?", (a.doc_id,)
                ).rowcount
                duplicate_of = self._duplicate_of(a.doc_id, [s[3] for s in e.sentences])
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        a.doc_id, a.title, a.published.isoformat() if a.published else None,
                        a.source, a.outlet, a.author, a.text,
                        json.dumps([[s.start, s.end] for s in a.body]),
                        e.content_hash, duplicate_of, now,
                    ),
                )
                db.executemany(
                    'INSERT INTO chunks (doc_id, ordinal, start, "end", hash) VALUES (?, ?, ?, ?, ?)',
                    [(a.doc_id, i, *c) for i, c in enumerate(e.chunks)],
                )
                db.executemany(
                    'INSERT INTO sentences (doc_id, ordinal, start, "end", hash, norm) '
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(a.doc_id, i, *s) for i, s in enumerate(e.sentences)],
                )
            if changed:
                # Drop vectors no span refers to any more (the old versions' texts).
                db.execute(
                    "DELETE FROM vectors WHERE hash NOT IN (SELECT hash FROM chunks) "
                    "AND hash NOT IN (SELECT hash FROM sentences)"
                )
            db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation'")
            return self.generation()

    # Share of a new article's sentences found in one earlier article that makes it a
    # reprint of that article (wire copy run by another outlet).
    DUPLICATE_SHARE = 0.6

    def _duplicate_of(self, doc_id: str, norms: list[str]) -> str | None:
        if not norms:
            return None
        counts: dict[str, int] = {}
        for i in range(0, len(norms), 500):
            part = norms[i : i + 500]
            marks = ",".join("?" * len(part))
            for other, n in self._db.execute(
                f"SELECT doc_id, COUNT(DISTINCT norm) FROM sentences WHERE norm IN ({marks}) "
                "AND doc_id != ? GROUP BY doc_id",
                [*part, doc_id],
            ):
                counts[other] = counts.get(other, 0) + n
        best = max(counts.items(), key=lambda kv: kv[1], default=None)
        if best and best[1] >= self.DUPLICATE_SHARE * len(set(norms)):
            original = self._db.execute(
                "SELECT COALESCE(duplicate_of, doc_id) FROM documents WHERE doc_id = ?", (best[0],)
            ).fetchone()
            return original[0] if original else best[0]
        return None

    # -- reading ----------------------------------------------------------------
    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    def fingerprints(self) -> dict[str, tuple[str, str | None]]:
        """doc_id -> (content hash, source) for every stored document."""
        return {
            d: (h, s)
            for d, h, s in self._db.execute("SELECT doc_id, content_hash, source FROM documents")
        }

    def documents(self) -> list[StoredDocument]:
        rows = self._db.execute(
            "SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id) "
            "FROM documents d ORDER BY doc_id"
        ).fetchall()
        return [_document(r) for r in rows]

    def document(self, doc_id: str) -> StoredDocument | None:
        row = self._db.execute(
            "SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id) "
            "FROM documents d WHERE doc_id = ?",
            (doc_id,),
        ).fetchone()
        return _document(row) if row else None

    def spans(self, table: str) -> tuple[list[tuple[str, int, int, int]], np.ndarray]:
        """Every chunk or sentence as (doc_id, ordinal, start, end), with its vectors."""
        assert table in ("chunks", "sentences")
        rows = self._db.execute(
            f'SELECT t.doc_id, t.ordinal, t.start, t."end", v.vector FROM {table} t '
            "JOIN vectors v ON v.hash = t.hash ORDER BY t.doc_id, t.ordinal"
        ).fetchall()
        vectors = np.frombuffer(b"".join(r[4] for r in rows), dtype=np.float32)
        return [r[:4] for r in rows], vectors.reshape(len(rows), self.dim)

    def snapshot(self) -> tuple[int, list[StoredDocument], tuple, tuple]:
        """Everything a reader needs, read in one transaction so it is never half old, half new."""
        self._db.execute("BEGIN")
        try:
            return self.generation(), self.documents(), self.spans("chunks"), self.spans("sentences")
        finally:
            self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


def _document(row: tuple) -> StoredDocument:
    return StoredDocument(
        doc_id=row[0],
        title=row[1],
        published=date.fromisoformat(row[2]) if row[2] else None,
        source=row[3],
        outlet=row[4],
        author=row[5],
        text=row[6],
        body=tuple(Span(s, e) for s, e in json.loads(row[7])),
        content_hash=row[8],
        duplicate_of=row[9],
        chunks=row[11],
    )
