"""Merging segments: which to join (a tiered policy, as Lucene's), and joining them into
one without their dead rows, carrying over what each row was found to hold."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from .articles import articles
from .dense import dense_index_of
from .packed import EntitySpans, Ragged, Spans, TermSets
from .packed_articles import packed_texts
from .rowfile import RowFile
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


def next_ids(live: tuple[Live, ...], floor: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    """The first chunk and sentence ids no segment of ``live`` has used, from ``floor`` on."""
    return (
        max([floor[0], *(p.segment.end_chunk for p in live)]),
        max([floor[1], *(p.segment.end_sentence for p in live)]),
    )


def merged_by_policy(live: tuple[Live, ...], ids: tuple[int, int]) -> tuple[Live, ...]:
    """``live`` with the merges the policy asks for done, each numbered anew at the end."""
    while pick := merge_policy(live):
        joined = Live(merge([live[i] for i in pick], *ids))
        live = tuple(p for i, p in enumerate(live) if i not in pick) + (joined,)
        ids = (joined.segment.end_chunk, joined.segment.end_sentence)
    return live


def merge(
    parts: Sequence[Live], first_chunk: int, first_sentence: int, vectors_file: Path | None = None
) -> Segment:
    """One segment of the live documents of ``parts``, numbered from the ids given. What
    each row was found to hold is carried over, not found again: the parts' packed rows
    are cut and joined as arrays, never made into a Python object a row (which took a
    merge at 1M chunks past 17 GB), the articles' packed texts are copied as bytes, and
    the graph is built from the chunk vectors a slice at a time. The sentence vectors go
    to ``vectors_file`` when one is given (2.2 GB at 1M chunks that are then never in the
    process's memory), else into one array."""
    taken = [_Taken(p) for p in parts]
    taken = [t for t in taken if t.docs]
    documents = packed_texts([(t.seg.documents, t.docs) for t in taken])
    doc_index = {d: i for i, d in enumerate(documents)}
    # Where each part's live chunks and sentences go in the merged segment.
    chunk_at, sentence_at = 0, 0
    for t in taken:
        t.number(chunk_at, sentence_at)
        chunk_at += len(t.chunks)
        sentence_at += len(t.sentences)
    dim = parts[0].segment.sentence_vectors.shape[1] if parts else 0
    term_words = sorted(set().union(*(t.seg.sentence_terms.vocabulary for t in taken)))
    labels = sorted(set().union(*(t.seg.entity_spans.labels for t in taken)))
    term_number = {w: i for i, w in enumerate(term_words)}
    label_number = {x: i for i, x in enumerate(labels)}

    chunk_spans, sentence_spans, chunk_rows = [], [], []
    term_ids, term_counts, entity_rows, entity_counts = [], [], [], []
    chunk_sentences, chunk_sentence_counts, sentence_chunk = [], [], []
    for t in taken:
        seg = t.seg
        chunk_spans.append(_respelled(seg.chunks, t.chunks, doc_index))
        sentence_spans.append(_respelled(seg.sentences, t.sentences, doc_index))
        chunk_rows.append(seg.chunk_rows[t.chunks])
        ids, counts = _cut(seg.sentence_terms.ids, seg.sentence_terms.offsets, t.sentences)
        words = np.array([term_number[w] for w in seg.sentence_terms.vocabulary], np.int32)
        term_ids.append(words[ids] if len(ids) else ids)
        term_counts.append(counts)
        found, counts = _cut(seg.entity_spans.spans, seg.entity_spans.offsets, t.sentences)
        if len(found):
            kinds = np.array([label_number[x] for x in seg.entity_spans.labels], np.int32)
            found = np.column_stack([found[:, :2], kinds[found[:, 2]]])
        entity_rows.append(found.reshape(-1, 3))
        entity_counts.append(counts)
        held, counts = _cut(seg.chunk_sentences.values, seg.chunk_sentences.offsets, t.chunks)
        chunk_sentences.append(t.new_sentence[held - seg.first_sentence] + first_sentence)
        chunk_sentence_counts.append(counts)
        old = seg.sentence_chunk[t.sentences]
        safe = np.where(old >= 0, old - seg.first_chunk, 0)
        sentence_chunk.append(np.where(old >= 0, t.new_chunk[safe] + first_chunk, -1))

    # Only the terms the live sentences use: a dead article's are gone with it.
    all_terms = _joined(term_ids, np.int32)
    used = np.unique(all_terms)
    terms = TermSets(
        [term_words[i] for i in used.tolist()],
        np.searchsorted(used, all_terms).astype(np.int32),
        _offsets(term_counts),
    )
    chunk_ids = _joined(chunk_rows, np.int64)
    doc_chunks, doc_sentences = {}, {}
    for t in taken:
        for d, (c, nc, s, ns) in t.placed.items():
            doc_chunks[d] = (first_chunk + c, nc)
            doc_sentences[d] = np.arange(first_sentence + s, first_sentence + s + ns)
    about = articles(documents)
    names = list(documents)
    return Segment(
        first_chunk=first_chunk,
        first_sentence=first_sentence,
        documents=documents,
        chunks=Spans(names, _joined(chunk_spans, np.int32, 4)),
        chunk_rows=chunk_ids,
        row_order=np.argsort(chunk_ids, kind="stable"),
        dense=dense_index_of(_chunk_vectors(taken), len(chunk_ids), dim),
        sentences=Spans(names, _joined(sentence_spans, np.int32, 4)),
        sentence_vectors=_sentence_vectors(taken, sentence_at, dim, vectors_file),
        sentence_terms=terms,
        entity_spans=EntitySpans(
            labels, _joined(entity_rows, np.int32, 3), _offsets(entity_counts)
        ),
        chunk_sentences=Ragged(_joined(chunk_sentences, np.int64), _offsets(chunk_sentence_counts)),
        sentence_chunk=_joined(sentence_chunk, np.int64),
        doc_chunks=doc_chunks,
        doc_sentences=doc_sentences,
        vocabulary=sorted(set(terms.vocabulary).union(*about.title_terms.values())),
        **vars(about),
    )


# Chunk vectors made float32 this many at a time while the graph is built.
VECTOR_SLICE = 65_536


class _Taken:
    """What a merge takes from one part: its live articles, and the positions of their
    chunks and sentences in it, in the order they go into the merged segment."""

    def __init__(self, part: Live) -> None:
        self.seg = seg = part.segment
        self.docs = [d for d in seg.documents if d not in part.dead]
        none = np.zeros(0, np.int64)
        chunk_runs = [seg.doc_chunks.get(d, (seg.first_chunk, 0)) for d in self.docs]
        sentence_runs = [
            (int(ids[0]), len(ids)) if len(ids) else (seg.first_sentence, 0)
            for ids in (seg.doc_sentences.get(d, none) for d in self.docs)
        ]
        self.chunks = _runs(
            [f - seg.first_chunk for f, _ in chunk_runs], [n for _, n in chunk_runs]
        )
        self.sentences = _runs(
            [f - seg.first_sentence for f, _ in sentence_runs], [n for _, n in sentence_runs]
        )
        self._runs = list(zip(self.docs, chunk_runs, sentence_runs, strict=True))

    def number(self, chunk_at: int, sentence_at: int) -> None:
        """Place the part's live rows from these positions of the merged segment on."""
        self.new_chunk = np.full(len(self.seg.chunks), -1, dtype=np.int64)
        self.new_chunk[self.chunks] = chunk_at + np.arange(len(self.chunks))
        self.new_sentence = np.full(len(self.seg.sentences), -1, dtype=np.int64)
        self.new_sentence[self.sentences] = sentence_at + np.arange(len(self.sentences))
        self.placed: dict[str, tuple[int, int, int, int]] = {}
        for d, (_, nc), (_, ns) in self._runs:
            self.placed[d] = (chunk_at, nc, sentence_at, ns)
            chunk_at += nc
            sentence_at += ns


def _runs(firsts: Sequence[int], counts: Sequence[int]) -> np.ndarray:
    """The positions ``first .. first + count - 1`` of each run, one run after another."""
    n = np.asarray(counts, dtype=np.int64)
    if not n.sum():
        return np.zeros(0, np.int64)
    shift = np.asarray(firsts, dtype=np.int64) - (np.cumsum(n) - n)
    return np.arange(int(n.sum()), dtype=np.int64) + np.repeat(shift, n)


def _cut(
    values: np.ndarray, offsets: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The slices of ``values`` that ``offsets`` gives ``rows``, one after another, and
    their lengths."""
    counts = (offsets[rows + 1] - offsets[rows]).astype(np.int64)
    return np.asarray(values)[_runs(offsets[rows], counts)], counts


def _respelled(spans: Spans, rows: np.ndarray, doc_index: dict[str, int]) -> np.ndarray:
    """``rows`` of ``spans`` with their articles numbered as in the merged segment."""
    number = np.array([doc_index.get(d, -1) for d in spans.doc_ids], dtype=np.int32)
    out = np.array(spans.rows[rows], dtype=np.int32).reshape(-1, 4)
    out[:, 0] = number[out[:, 0]]
    return out


def _chunk_vectors(taken: list[_Taken]) -> Iterator[np.ndarray]:
    for t in taken:
        for at in range(0, len(t.chunks), VECTOR_SLICE):
            keys = np.ascontiguousarray(t.chunks[at : at + VECTOR_SLICE], dtype=np.int64)
            yield t.seg.dense.reconstruct_batch(keys)


def _sentence_vectors(
    taken: list[_Taken], rows: int, dim: int, out: Path | None
) -> np.ndarray | RowFile:
    """The parts' live sentence vectors in order, read VECTOR_SLICE rows at a time, into
    the ``.npy`` file ``out`` when given (through the page cache, not mapped: written
    pages would count in the process's memory while mapped), else into one array."""
    slices = (
        np.asarray(t.seg.sentence_vectors[t.sentences[at : at + VECTOR_SLICE]], np.float16)
        for t in taken
        for at in range(0, len(t.sentences), VECTOR_SLICE)
    )
    if out is None:
        joined = np.empty((rows, dim), dtype=np.float16)
        at = 0
        for part in slices:
            joined[at : at + len(part)] = part
            at += len(part)
        return joined
    with open(out, "wb") as f:
        header = {"descr": "<f2", "fortran_order": False, "shape": (rows, dim)}
        np.lib.format.write_array_header_2_0(f, header)
        for part in slices:
            f.write(np.ascontiguousarray(part).tobytes())
    return RowFile(out)


def _joined(arrays: list[np.ndarray], dtype: type, width: int = 0) -> np.ndarray:
    if not arrays:
        return np.zeros((0, width) if width else 0, dtype=dtype)
    return np.concatenate(arrays).astype(dtype, copy=False)


def _offsets(counts: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(sum(len(c) for c in counts) + 1, dtype=np.int64)
    if len(out) > 1:
        np.cumsum(np.concatenate(counts), out=out[1:])
    return out
