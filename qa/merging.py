"""Merging segments: which to join (a tiered policy, as Lucene's), and joining them into
one without their dead rows, carrying over what each row was found to hold."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index import StoredDocument
from index.store import Rows, Snapshot

from .packed import Span
from .segments import Live, Segment

# Tiered merging: this many segments of one size tier are joined into one.
MERGE_FACTOR = 8
# A segment with this share of its rows dead is rewritten without them.
MAX_DEAD_SHARE = 0.3


def merge_policy(live: Sequence[Live]) -> list[int]:
    """Which segments (positions in ``live``) to merge now: MERGE_FACTOR of one size tier
    (sizes within a factor of MERGE_FACTOR), the smallest tier first; or one segment whose
    dead share has grown past MAX_DEAD_SHARE. None when nothing needs merging."""
    tiers: dict[int, list[int]] = {}
    for i, seg in enumerate(live):
        size = max(seg.live_chunks(), 1)
        tiers.setdefault(int(np.log(size) / np.log(MERGE_FACTOR)), []).append(i)
    for tier in sorted(tiers):
        if len(tiers[tier]) >= MERGE_FACTOR:
            return tiers[tier][:MERGE_FACTOR]
    for i, seg in enumerate(live):
        total = len(seg.segment.chunks)
        if seg.dead and total and 1 - seg.live_chunks() / total > MAX_DEAD_SHARE:
            return [i]
    return []


def merge(parts: Sequence[Live], first_chunk: int, first_sentence: int) -> Segment:
    """One segment of the live documents of ``parts``, numbered from the ids given. What
    each row was found to hold is carried over, not found again."""
    documents: list[StoredDocument] = []
    chunk_spans: list[tuple[str, int, int, int]] = []
    sentence_spans: list[tuple[str, int, int, int]] = []
    chunk_rows, chunk_vectors, sentence_vectors = [], [], []
    entities: list[list[tuple[int, int, str]]] = []
    terms: list[frozenset[str]] = []
    for part in parts:
        seg = part.segment
        vectors = seg.chunk_vectors()
        for doc_id, doc in seg.documents.items():
            if doc_id in part.dead:
                continue
            documents.append(doc)
            first, n = seg.doc_chunks[doc_id]
            local = np.arange(first, first + n) - seg.first_chunk
            chunk_spans += [_row(seg.chunks[i]) for i in local.tolist()]
            chunk_rows.append(seg.chunk_rows[local])
            chunk_vectors.append(vectors[local])
            local = seg.doc_sentences[doc_id] - seg.first_sentence
            sentence_spans += [_row(seg.sentences[i]) for i in local.tolist()]
            sentence_vectors.append(seg.sentence_vectors[local])
            entities += [seg.entity_spans[i] for i in local.tolist()]
            terms += [seg.sentence_terms[i] for i in local.tolist()]
    dim = parts[0].segment.sentence_vectors.shape[1]

    def rows(spans: list, ids: list, vectors: list, dtype: type) -> Rows:
        return Rows(
            spans,
            np.concatenate(ids) if ids else np.zeros(0, np.int64),
            np.concatenate(vectors).astype(dtype, copy=False)
            if vectors
            else np.zeros((0, dim), dtype),
        )

    snap = Snapshot(
        generation=0,
        changed=None,
        documents=documents,
        chunks=rows(chunk_spans, chunk_rows, chunk_vectors, np.float32),
        # Kept in float16, as segments hold them (a million chunks' are 2.2 GB so).
        sentences=rows(
            sentence_spans,
            [np.zeros(len(sentence_spans), np.int64)],
            sentence_vectors,
            np.float16,
        ),
        entities=entities,
    )
    return Segment.build(snap, first_chunk, first_sentence, sentence_terms=terms)


def _row(span: Span) -> tuple[str, int, int, int]:
    return (span.doc_id, span.ordinal, span.start, span.end)
