"""Reading the stored index: the generation, documents, spans with their vectors, and the
change log, and the snapshot a reader loads, read in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

import numpy as np

from .faults import storage_errors
from .stored import Fingerprint, Rows, Snapshot, StoredDocument, document_of_row, parts


class StoreReading:
    """The read side of ``Store`` (store.py), over its open database."""

    dir: Path
    dim: int
    _db: sqlite3.Connection

    # -- reading ----------------------------------------------------------------
    @storage_errors
    def generation(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0])

    @storage_errors
    def chunk_count(self) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()
        return int(n)

    @storage_errors
    def fingerprints(self) -> dict[str, Fingerprint]:
        """What tells whether each stored document has changed, without reading its text."""
        return {
            d: Fingerprint(h, s, t, date.fromisoformat(p) if p else None)
            for d, h, s, t, p in self._db.execute(
                "SELECT doc_id, content_hash, source, title, published FROM documents"
            )
        }

    @storage_errors
    def documents(self, doc_ids: Iterable[str] | None = None) -> list[StoredDocument]:
        """The stored documents (those of ``doc_ids`` that are stored), by doc_id."""
        query = (
            "SELECT d.*, (SELECT COUNT(*) FROM chunks c WHERE c.doc_id = d.doc_id) "
            "FROM documents d {where} ORDER BY doc_id"
        )
        return [document_of_row(r) for r in self._select(query, "d.doc_id", doc_ids)]

    @storage_errors
    def document(self, doc_id: str) -> StoredDocument | None:
        found = self.documents([doc_id])
        return found[0] if found else None

    def _select(self, query: str, column: str, doc_ids: Iterable[str] | None) -> Iterator[tuple]:
        """``query`` with its ``{where}`` limited to rows whose ``column`` is among
        ``doc_ids`` (all rows when None), read in slices, in the query's order per slice."""
        if doc_ids is None:
            yield from self._db.execute(query.format(where=""))
            return
        for part in parts(sorted(set(doc_ids))):
            where = f"WHERE {column} IN ({','.join('?' * len(part))})"
            yield from self._db.execute(query.format(where=where), part)

    @storage_errors
    def spans(self, table: str, doc_ids: Iterable[str] | None = None) -> Rows:
        """Every chunk or sentence (of ``doc_ids``) with its vector."""
        assert table in ("chunks", "sentences")
        spans, ids = [], []
        # The vectors go straight into one buffer as they are read. Holding each row's
        # until all were read, then joining them, took twice their size: reading the
        # BBC's 39,098 sentences peaked at 169 MB, now 106.
        vectors = bytearray()
        for doc_id, ordinal, start, end, vector, rowid in self._select(
            f'SELECT t.doc_id, t.ordinal, t.start, t."end", v.vector, t.rowid FROM {table} t '
            "JOIN vectors v ON v.hash = t.hash {where} ORDER BY t.doc_id, t.ordinal",
            "t.doc_id",
            doc_ids,
        ):
            spans.append((doc_id, ordinal, start, end))
            ids.append(rowid)
            vectors += vector
        return Rows(
            spans,
            np.array(ids, dtype=np.int64),
            np.frombuffer(vectors, dtype=np.float32).reshape(len(spans), self.dim),
        )

    def sentence_entities(
        self, doc_ids: Iterable[str] | None = None
    ) -> list[list[tuple[int, int, str]]]:
        """Each sentence's entities, in the order of ``spans("sentences", doc_ids)``
        (offsets within the sentence; none where they were never found)."""
        rows = self._select(
            "SELECT e.spans FROM sentences t JOIN vectors v ON v.hash = t.hash "
            "LEFT JOIN entities e ON e.hash = t.hash {where} ORDER BY t.doc_id, t.ordinal",
            "t.doc_id",
            doc_ids,
        )
        return [[tuple(x) for x in json.loads(s)] if s else [] for (s,) in rows]

    @storage_errors
    def changed_since(self, generation: int) -> frozenset[str] | None:
        """The doc_ids added, replaced, deleted or re-decided as reprints after
        ``generation``; None when the change log does not reach back that far."""
        (start,) = self._db.execute("SELECT value FROM meta WHERE key = 'log_start'").fetchone()
        if generation < int(start) or generation > self.generation():
            return None
        rows = self._db.execute("SELECT doc_id FROM changes WHERE generation > ?", (generation,))
        return frozenset(d for (d,) in rows)

    def snapshot_pieces(self, chunks_per_piece: int) -> Iterator[Snapshot]:
        """Everything, as ``snapshot()`` reads it, in pieces of whole articles of about
        ``chunks_per_piece`` chunks each (the last may be smaller; none if the store is
        empty), all of one generation: the read transaction stays open until the last
        piece is read, so a reader building from nothing holds one piece at a time.
        (A generator: each read it makes is a method that turns storage faults into
        what they mean.)"""
        self._begin()
        try:
            generation = self.generation()
            piece: list[StoredDocument] = []
            size = 0
            for doc in self.documents():
                piece.append(doc)
                size += doc.chunks
                if size >= chunks_per_piece:
                    yield self._piece(generation, piece)
                    piece, size = [], 0
            if piece:
                yield self._piece(generation, piece)
        finally:
            self._db.execute("COMMIT")

    @storage_errors
    def _begin(self) -> None:
        self._db.execute("BEGIN")

    def _piece(self, generation: int, docs: list[StoredDocument]) -> Snapshot:
        ids = [d.doc_id for d in docs]
        return Snapshot(
            generation=generation,
            changed=None,
            documents=docs,
            chunks=self.spans("chunks", ids),
            sentences=self.spans("sentences", ids),
            entities=self.sentence_entities(ids),
        )

    def snapshot(self, since: int | None = None) -> Snapshot:
        """Everything a reader needs, or with ``since`` only the documents changed after
        that generation (everything, if the change log does not reach back that far)."""
        self._db.execute("BEGIN")
        try:
            changed = None if since is None else self.changed_since(since)
            return Snapshot(
                generation=self.generation(),
                changed=changed,
                documents=self.documents(changed),
                chunks=self.spans("chunks", changed),
                sentences=self.spans("sentences", changed),
                entities=self.sentence_entities(changed),
            )
        finally:
            self._db.execute("COMMIT")
