"""Segments: the searchable form of the rows one generation added, never changed once built.

A reader holds a list of segments, the way Lucene does. A new generation adds one segment
built from the documents it changed, and marks those documents dead (tombstones) in the
older segments, which are kept as they are: nothing that did not change is read,
tokenised or indexed again. When too many small segments pile up, they are merged
(merging.py).

Rows are numbered across segments: a segment's chunks and sentences take the ids from its
``first_chunk`` and ``first_sentence`` on, and keep them until the segment is merged.
"""

from __future__ import annotations

import mmap
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import faiss
import numpy as np

from index import StoredDocument
from index.store import Snapshot

from .articles import articles
from .dense import HNSW_EF_SEARCH, dense_index
from .packed import EntitySpans, Ragged, Span, Spans, TermSets
from .packed_articles import Texts
from .rowfile import RowFile
from .terms import stems

# A filter or tombstones leaving fewer rows than this in a graph-searched segment: those
# rows are scanned instead.
FILTERED_EXACT_ROWS = 20_000


@dataclass(frozen=True)
class Segment:
    """The chunks and sentences of some documents, with what is searched and looked up."""

    first_chunk: int
    first_sentence: int
    # A saved segment's articles read their texts from its file (packed_articles.py).
    documents: Mapping[str, StoredDocument]
    chunks: Spans
    chunk_rows: np.ndarray  # the chunks' ids in the store (the lexical index's keys)
    row_order: np.ndarray  # the positions of chunk_rows, in increasing order
    dense: faiss.Index  # chunk vectors: inner product over unit vectors (cosine)
    sentences: Spans
    # float16 (half the memory; cosines to 3 decimals); a saved segment reads them from
    # their file, row by row (rowfile.py).
    sentence_vectors: np.ndarray | RowFile
    sentence_terms: TermSets  # each sentence's index terms
    entity_spans: EntitySpans  # per sentence, within the sentence
    chunk_sentences: Ragged  # per chunk: ids of the sentences it overlaps
    sentence_chunk: np.ndarray  # per sentence: id of the first chunk it overlaps
    doc_chunks: dict[str, tuple[int, int]]  # per article: id of its first chunk, count
    doc_sentences: Mapping[str, np.ndarray]  # per article: ids of its sentences (one run)
    title_terms: Mapping[str, frozenset[str]]  # per article: its headline's terms
    sources: dict[str, frozenset[str]]  # outlet or author, lower-cased -> doc_ids
    words: list[str]  # every word used, lower-cased, without accents, sorted
    vocabulary: list[str]  # every index term, sorted
    numbers: frozenset[str]  # every number written, in one spelling
    # Per article, in the order of ``documents``: the words of its outlet, author, title
    # and the lines above its story (what a question naming "the CNN report" matches).
    header_words: TermSets
    # What the segment is saved as in the index folder (saved.py); unique to it.
    name: str = field(default_factory=lambda: uuid.uuid4().hex)
    # A saved segment's mappings of its array files (memory.drop_pages); none in memory.
    mapped: tuple[mmap.mmap, ...] = ()

    @property
    def details(self) -> Mapping[str, StoredDocument]:
        """The articles, their texts and paragraphs left empty where the segment reads
        them from its files: for filters and listings, which read none of them."""
        return self.documents.details if isinstance(self.documents, Texts) else self.documents

    @property
    def end_chunk(self) -> int:
        return self.first_chunk + len(self.chunks)

    @property
    def end_sentence(self) -> int:
        return self.first_sentence + len(self.sentences)

    @cached_property
    def ordered_rows(self) -> np.ndarray:
        """The chunks' store ids in increasing order (made once: 0.7 ms at 1M chunks)."""
        return self.chunk_rows[self.row_order]

    def chunk_vectors(self) -> np.ndarray:
        return self.dense.reconstruct_n(0, self.dense.ntotal)

    @classmethod
    def build(
        cls,
        snap: Snapshot,
        first_chunk: int,
        first_sentence: int,
        sentence_terms: Iterable[frozenset[str]] | None = None,
    ) -> Segment:
        """The segment of ``snap``'s rows, numbered from the ids given. ``sentence_terms``
        saves finding each sentence's terms again when they are known (a merge)."""
        docs = {d.doc_id: d for d in snap.documents}
        # Objects while the segment is worked out; it keeps them packed (Spans).
        chunks = [Span(*r) for r in snap.chunks.spans]
        sentences = [Span(*r) for r in snap.sentences.spans]
        terms = TermSets.of(
            sentence_terms
            if sentence_terms is not None
            else (set(stems(docs[s.doc_id].text[s.start : s.end])) for s in sentences)
        )
        doc_sentences = _by_doc(sentences, first_sentence)
        chunk_sentences = _overlaps(chunks, sentences, doc_sentences, first_sentence)
        about = articles(docs)
        doc_chunks: dict[str, tuple[int, int]] = {}
        for i, c in enumerate(chunks):
            first, n = doc_chunks.get(c.doc_id, (first_chunk + i, 0))
            doc_chunks[c.doc_id] = (first, n + 1)
        return cls(
            first_chunk=first_chunk,
            first_sentence=first_sentence,
            documents=docs,
            chunks=Spans.of(snap.chunks.spans),
            chunk_rows=snap.chunks.ids,
            row_order=np.argsort(snap.chunks.ids, kind="stable"),
            dense=dense_index(snap.chunks.vectors),
            sentences=Spans.of(snap.sentences.spans),
            sentence_vectors=snap.sentences.vectors.astype(np.float16, copy=False),
            sentence_terms=terms,
            entity_spans=EntitySpans.of(snap.entities),
            chunk_sentences=Ragged.of(chunk_sentences),
            sentence_chunk=_first_chunk(
                chunk_sentences, first_chunk, first_sentence, len(sentences)
            ),
            doc_chunks=doc_chunks,
            doc_sentences=doc_sentences,
            vocabulary=sorted(set(terms.vocabulary).union(*about.title_terms.values())),
            **vars(about),
        )


@dataclass(frozen=True)
class Live:
    """A segment as one generation sees it: its documents that have died since it was
    built (deleted, replaced, or outside a question's filter) are skipped."""

    segment: Segment
    dead: frozenset[str] = frozenset()

    def alive(self, doc_id: str) -> bool:
        return doc_id in self.segment.documents and doc_id not in self.dead

    def chunks_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """The chunk id of each store id in ``rows`` that is a live chunk of this segment,
        -1 for the others."""
        seg = self.segment
        out = np.full(len(rows), -1, dtype=np.int64)
        if not len(seg.chunks) or not len(rows):
            return out
        ordered = seg.ordered_rows
        at = np.minimum(np.searchsorted(ordered, rows), len(ordered) - 1)
        found = ordered[at] == rows
        local = seg.row_order[at[found]]
        ids = seg.first_chunk + local
        if self.dead:
            alive = np.array([seg.chunks[i].doc_id not in self.dead for i in local.tolist()], bool)
            ids = np.where(alive, ids, -1)
        out[found] = ids
        return out

    def live_rows(self) -> np.ndarray:
        """The store ids of the live chunks."""
        return self.segment.chunk_rows[self._live_positions]

    def live_chunks(self) -> int:
        return len(self.segment.chunks) - sum(self.segment.doc_chunks[d][1] for d in self.dead)

    @cached_property
    def _live_positions(self) -> np.ndarray:
        """The positions in the segment of its live chunks (worked out once, not per search)."""
        seg = self.segment
        return np.concatenate(
            [
                np.arange(first, first + n, dtype=np.int64) - seg.first_chunk
                for d, (first, n) in seg.doc_chunks.items()
                if d not in self.dead
            ]
            or [np.zeros(0, np.int64)]
        )

    @cached_property
    def _selector(self) -> faiss.IDSelector:
        return faiss.IDSelectorBatch(self._live_positions)

    def search(self, query: np.ndarray, k: int) -> list[tuple[float, int]]:
        """The ``k`` live chunks nearest ``query`` as (score, chunk id)."""
        seg = self.segment
        if not seg.chunks:
            return []
        params = None
        if self.dead:
            live = self._live_positions
            if not len(live):
                return []
            graph = isinstance(seg.dense, faiss.IndexHNSW)
            if graph and len(live) < FILTERED_EXACT_ROWS:
                # A graph walk that may only stop at a few rows misses some: scan them.
                sims = seg.dense.reconstruct_batch(live) @ query
                top = np.argsort(-sims, kind="stable")[:k]
                return [(float(sims[j]), seg.first_chunk + int(live[j])) for j in top]
            params = (
                faiss.SearchParametersHNSW(sel=self._selector, efSearch=HNSW_EF_SEARCH)  # type: ignore[attr-defined]
                if graph
                else faiss.SearchParameters(sel=self._selector)  # type: ignore[call-arg]
            )
        k = min(k, len(seg.chunks))
        # One query is too little work to share out: waking OpenMP's threads costs more
        # than they save, and on a small machine they fight the other requests for the
        # cores (BBC p50 23 -> 14 ms). Building and merging graphs keep every core.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = seg.dense.search(query.reshape(1, -1), k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [
            (float(s), seg.first_chunk + int(i))
            for s, i in zip(scores[0], ids[0], strict=True)
            if i >= 0
        ]


def _by_doc(sentences: list[Span], first: int) -> dict[str, np.ndarray]:
    ids: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        ids.setdefault(s.doc_id, []).append(first + i)
    return {d: np.array(v, dtype=np.int64) for d, v in ids.items()}


def _overlaps(
    chunks: list[Span], sentences: list[Span], by_doc: dict[str, np.ndarray], first: int
) -> list[np.ndarray]:
    """For each chunk, the ids of the sentences that overlap it (both lists are sorted)."""
    out = []
    none = np.zeros(0, np.int64)
    for c in chunks:
        ids = [
            i
            for i in by_doc.get(c.doc_id, none).tolist()
            if sentences[i - first].start < c.end and sentences[i - first].end > c.start
        ]
        out.append(np.array(ids, dtype=np.int64))
    return out


def _first_chunk(
    chunk_sentences: list[np.ndarray], first_chunk: int, first_sentence: int, n: int
) -> np.ndarray:
    """Per sentence of the segment: the id of the first chunk it overlaps (-1 if none)."""
    first = np.full(n, -1, dtype=np.int64)
    for c in range(len(chunk_sentences) - 1, -1, -1):
        first[chunk_sentences[c] - first_sentence] = first_chunk + c
    return first
