"""A corpus narrowed to some of its articles, so that a filtered question is retrieved
and answered from those articles only, and still gets its full top k."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

import faiss
import numpy as np

from .corpus import Corpus

# What narrowing does with each field of Corpus. A field missing from both sets fails
# tests/qa/test_narrow.py, so a new field cannot silently leak other articles.
KEPT_WHOLE = frozenset(
    # Collection-wide statistics and vocabulary: a question's words weigh the same
    # whatever the filter, and BM25 keeps its idf (its scores are masked, not refitted).
    {"generation", "bm25", "tokens", "idf", "words", "vocabulary", "numbers"}
)
NARROWED = frozenset(
    {
        "documents",
        "chunks",
        "dense",
        "bm25_rows",
        "sentences",
        "sentence_vectors",
        "sentence_terms",
        "chunk_sentences",
        "doc_sentences",
        "sources",
        "sentence_chunk",
        "chunk_position",
        "entity_spans",
        "title_terms",
    }
)


def narrow(corpus: Corpus, doc_ids: Collection[str]) -> Corpus:
    """``corpus`` holding only the articles ``doc_ids``: their passages, sentences and
    vectors, searched exactly as before."""
    keep = set(doc_ids)
    chunk_rows = np.array(
        [i for i, c in enumerate(corpus.chunks) if c.doc_id in keep], dtype=np.int64
    )
    sent_rows = np.array(
        [i for i, s in enumerate(corpus.sentences) if s.doc_id in keep], dtype=np.int64
    )
    # Old sentence index -> new one (-1 for a sentence of an article left out).
    renumber = np.full(len(corpus.sentences), -1, dtype=np.int64)
    renumber[sent_rows] = np.arange(len(sent_rows))

    chunks = [corpus.chunks[i] for i in chunk_rows.tolist()]
    dense = faiss.IndexFlatIP(corpus.dense.d)
    if len(chunk_rows):
        dense.add(np.ascontiguousarray(corpus.dense.reconstruct_batch(chunk_rows)))
    bm25_base = corpus.bm25_rows if corpus.bm25_rows is not None else None
    first_chunk = np.full(len(sent_rows), -1, dtype=np.int64)
    chunk_sentences = []
    for new_c, old_c in enumerate(chunk_rows.tolist()):
        ids = renumber[corpus.chunk_sentences[old_c]]
        chunk_sentences.append(ids)
        unset = ids[first_chunk[ids] < 0]
        first_chunk[unset] = new_c
    return replace(
        corpus,
        documents={d: doc for d, doc in corpus.documents.items() if d in keep},
        chunks=chunks,
        dense=dense,
        bm25_rows=chunk_rows if bm25_base is None else bm25_base[chunk_rows],
        sentences=[corpus.sentences[i] for i in sent_rows.tolist()],
        sentence_vectors=np.ascontiguousarray(corpus.sentence_vectors[sent_rows]),
        sentence_terms=[corpus.sentence_terms[i] for i in sent_rows.tolist()],
        entity_spans=[corpus.entity_spans[i] for i in sent_rows.tolist()],
        title_terms={d: t for d, t in corpus.title_terms.items() if d in keep},
        chunk_sentences=chunk_sentences,
        doc_sentences={d: renumber[ids] for d, ids in corpus.doc_sentences.items() if d in keep},
        sources={name: ids & keep for name, ids in corpus.sources.items() if ids & keep},
        sentence_chunk=first_chunk,
        chunk_position={(c.doc_id, c.ordinal): i for i, c in enumerate(chunks)},
    )
