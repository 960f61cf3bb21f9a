"""Reprints: an article most of whose sentences an earlier article already has (wire copy
run by another outlet) is marked as a duplicate of that article's original."""

from __future__ import annotations

import sqlite3

from .stored import parts

# Share of an article's sentences found in one earlier article that makes it a reprint of
# that article.
DUPLICATE_SHARE = 0.6


def detect_duplicates(db: sqlite3.Connection, written: set[str], touched: set[str]) -> set[str]:
    """Decide ``duplicate_of`` for the documents just written and for those that were
    reprints of a document just replaced or deleted, in order of arrival; returns the
    documents decided."""
    todo = set(written)
    for part in parts(sorted(touched)):
        marks = ",".join("?" * len(part))
        todo.update(
            d
            for (d,) in db.execute(
                f"SELECT doc_id FROM documents WHERE duplicate_of IN ({marks})", part
            )
        )
    rows = []
    for part in parts(sorted(todo)):
        marks = ",".join("?" * len(part))
        rows += db.execute(
            f"SELECT rowid, doc_id FROM documents WHERE doc_id IN ({marks})", part
        ).fetchall()
    for arrival, doc_id in sorted(rows):
        db.execute(
            "UPDATE documents SET duplicate_of = ? WHERE doc_id = ?",
            (duplicate_of(db, doc_id, arrival), doc_id),
        )
    return {doc_id for _, doc_id in rows}


def duplicate_of(db: sqlite3.Connection, doc_id: str, arrival: int) -> str | None:
    """The original of the earlier article that most of ``doc_id``'s sentences appear in."""
    query = "SELECT norm FROM sentences WHERE doc_id = ?"
    norms = sorted({n for (n,) in db.execute(query, (doc_id,))})
    counts: dict[tuple[int, str], int] = {}
    for part in parts(norms):
        marks = ",".join("?" * len(part))
        for other_arrival, other, n in db.execute(
            f"SELECT d.rowid, s.doc_id, COUNT(DISTINCT s.norm) FROM sentences s "
            f"JOIN documents d ON d.doc_id = s.doc_id WHERE s.norm IN ({marks}) "
            "AND d.rowid < ? GROUP BY s.doc_id",
            [*part, arrival],
        ):
            counts[(other_arrival, other)] = counts.get((other_arrival, other), 0) + n
    # Most shared sentences; of equals, the earliest.
    best = max(counts.items(), key=lambda kv: (kv[1], -kv[0][0]), default=None)
    if not best or best[1] < DUPLICATE_SHARE * len(norms):
        return None
    (original,) = db.execute(
        "SELECT COALESCE(duplicate_of, doc_id) FROM documents WHERE doc_id = ?", (best[0][1],)
    ).fetchone()
    return original
