"""What the store holds, as it is written and read back: documents, their spans with
their row ids and vectors, and the hashes that key texts."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np

from .records import Article, Span


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
class Fingerprint:
    """A stored document's text hash and the metadata given with it."""

    content_hash: str
    source: str | None
    title: str
    published: date | None


@dataclass(frozen=True)
class Rows:
    """Stored chunks or sentences as (doc_id, ordinal, start, end), ordered by document and
    ordinal, with their row ids and vectors in the same order."""

    spans: list[tuple[str, int, int, int]]
    ids: np.ndarray  # SQLite rowids: a row keeps its id until its document changes
    vectors: np.ndarray


@dataclass(frozen=True)
class Snapshot:
    """What a reader loads: every stored document (or, for a delta, those changed since
    the reader's generation), read in one transaction so it is never half old, half new."""

    generation: int
    changed: frozenset[str] | None  # a delta: the doc_ids changed since; None: everything
    documents: list[StoredDocument]
    chunks: Rows
    sentences: Rows
    entities: list[list[tuple[int, int, str]]]  # per sentence, within the sentence


@dataclass(frozen=True)
class Entry:
    """One article ready to store: its spans and the hash of each span's text."""

    article: Article
    content_hash: str
    chunks: tuple[tuple[int, int, str], ...]  # (start, end, text hash)
    sentences: tuple[tuple[int, int, str, str], ...]  # (start, end, text hash, norm hash)


def document_of_row(row: tuple) -> StoredDocument:
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


def parts(keys: list[str], size: int = 500) -> Iterator[list[str]]:
    """``keys`` in slices small enough for one SQL ``IN (...)``."""
    for i in range(0, len(keys), size):
        yield keys[i : i + size]
