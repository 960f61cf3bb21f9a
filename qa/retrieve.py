"""Find the passages most likely to answer a question: dense, BM25, or both fused."""

from __future__ import annotations

import numpy as np

from .corpus import Corpus
from .records import Hit

MODES = ("hybrid", "dense", "bm25")
# Reciprocal rank fusion constant (Cormack et al. 2009); small corpora favour a small k,
# which lets a passage ranked first by one retriever lead the fused list.
RRF_K = 20
# How deep each retriever's list goes before fusion.
DEPTH = 50


def retrieve(
    corpus: Corpus, question: str, query: np.ndarray, top_k: int = 5, mode: str = "hybrid"
) -> list[Hit]:
    """The ``top_k`` passages for ``question`` (whose embedding is ``query``)."""
    if mode not in MODES:
        raise ValueError(f"unknown retrieval mode {mode!r}; choose one of {', '.join(MODES)}")
    if not corpus.chunk_count:
        return []
    dense = corpus.nearest_chunks(query, DEPTH) if mode != "bm25" else []
    lexical = corpus.lexical_ranking(question, DEPTH) if mode != "dense" else []
    dense_rank = {c: r for r, c in enumerate(dense)}
    bm25_rank = {c: r for r, c in enumerate(lexical)}
    fused: dict[int, float] = {}
    for ranking in (dense, lexical):
        for r, c in enumerate(ranking):
            fused[c] = fused.get(c, 0.0) + 1.0 / (RRF_K + r + 1)
    # Ties are broken by the articles' order, looked up only for those that reach the cut.
    ranked = sorted(fused, key=fused.__getitem__, reverse=True)
    if len(ranked) > top_k:
        cut = fused[ranked[top_k - 1]]
        ranked = [c for c in ranked if fused[c] >= cut]
    best = sorted(ranked, key=lambda c: (-fused[c], corpus.order(c)))[:top_k]
    hits = []
    for c in best:
        span = corpus.chunks[c]
        hits.append(
            Hit(
                doc_id=span.doc_id,
                chunk_id=span.ordinal,
                start=span.start,
                end=span.end,
                text=corpus.text(span),
                score=round(fused[c] * (RRF_K + 1) / (2 if mode == "hybrid" else 1), 4),
                dense_rank=dense_rank.get(c),
                bm25_rank=bm25_rank.get(c),
            )
        )
    return hits


def chunk_index(corpus: Corpus, hit: Hit) -> int:
    """The id of a hit's chunk in ``corpus``."""
    return corpus.chunk_id(hit.doc_id, hit.chunk_id)
