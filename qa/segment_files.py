"""One saved segment's folder: each of its arrays in a ``.npy`` file of its own (mapped
when opened; the sentence vectors and the articles' texts read as needed), its graph,
and its Python objects (articles' details, words) in one pickle read whole.

Which segments a generation holds, and when they are saved, is saved.py's.
"""

from __future__ import annotations

import mmap
import os
import pickle
import shutil
from pathlib import Path

import faiss
import numpy as np

from . import packed_articles
from .packed import EntitySpans, Ragged, Spans, TermSets
from .rowfile import RowFile
from .segments import Segment

# The arrays of a segment, each in a file of its own, mapped when opened (the sentence
# vectors are read row by row instead).
_ARRAYS = (
    "chunk_rows",
    "row_order",
    "chunk_spans",
    "sentence_spans",
    "sentence_vectors",
    "term_ids",
    "term_offsets",
    "entity_rows",
    "entity_offsets",
    "chunk_sentence_ids",
    "chunk_sentence_offsets",
    "sentence_chunk",
    # The articles' texts, paragraphs, sentence runs and headline terms (packed_articles.py).
    "texts",
    "text_offsets",
    "body_spans",
    "body_offsets",
    "sentence_runs",
    "title_term_ids",
    "title_term_offsets",
)
# What questions read of a saved segment, in the order read into the page cache when a
# service starts (memory.read_ahead): the graph, the per-row arrays, the sentence vectors
# (and after them, saved.searched_files: the texts, read for the articles cited).
SEARCHED = (
    "dense.faiss",
    *(f"{a}.npy" for a in _ARRAYS if a not in ("sentence_vectors", "texts")),
    "sentence_vectors.npy",
)
# What a segment holds as Python objects (articles, words): read whole when opened.
_OBJECTS = (
    "first_chunk",
    "first_sentence",
    "doc_chunks",
    "sources",
    "words",
    "vocabulary",
    "numbers",
    "header_words",
)


def write(seg: Segment, folder: Path) -> None:
    """``seg`` in a folder named after it, written whole under another name first."""
    tmp = folder / f".{seg.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _fill(tmp, seg)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # nothing half written is left
        raise
    os.rename(tmp, folder / seg.name)


def _fill(tmp: Path, seg: Segment) -> None:
    """Write ``seg``'s arrays, its graph and its objects into the folder ``tmp``."""
    arrays = {
        "chunk_rows": seg.chunk_rows,
        "row_order": seg.row_order,
        "chunk_spans": seg.chunks.rows,
        "sentence_spans": seg.sentences.rows,
        "sentence_vectors": seg.sentence_vectors,
        "term_ids": seg.sentence_terms.ids,
        "term_offsets": seg.sentence_terms.offsets,
        "entity_rows": seg.entity_spans.spans,
        "entity_offsets": seg.entity_spans.offsets,
        "chunk_sentence_ids": seg.chunk_sentences.values,
        "chunk_sentence_offsets": seg.chunk_sentences.offsets,
        "sentence_chunk": seg.sentence_chunk,
    }
    packed, objects = packed_articles.pack(seg.documents, seg.doc_sentences, seg.title_terms)
    arrays.update(packed)
    for name in _ARRAYS:
        value = arrays[name]
        if isinstance(value, RowFile):  # a merge's, in a file already: linked, not read
            _linked(value.path, tmp / f"{name}.npy")
        else:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(value))
    faiss.write_index(seg.dense, str(tmp / "dense.faiss"))
    objects.update({name: getattr(seg, name) for name in _OBJECTS})
    objects["chunk_docs"] = seg.chunks.doc_ids
    objects["sentence_docs"] = seg.sentences.doc_ids
    objects["term_words"] = seg.sentence_terms.vocabulary
    objects["entity_labels"] = seg.entity_spans.labels
    with open(tmp / "objects.pickle", "wb") as f:
        pickle.dump(objects, f, protocol=pickle.HIGHEST_PROTOCOL)


def _linked(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def read(path: Path) -> Segment:
    """The segment saved at ``path``, its arrays mapped from their files (the sentence
    vectors read from theirs)."""
    with open(path / "objects.pickle", "rb") as f:
        objects = pickle.load(f)  # noqa: S301 (written by this module, in the index folder)
    a = {name: _mapped(path / f"{name}.npy") for name in _ARRAYS if name != "sentence_vectors"}
    documents, doc_sentences, title_terms = packed_articles.unpack(a, objects)
    return Segment(
        **{name: objects[name] for name in _OBJECTS},
        documents=documents,
        doc_sentences=doc_sentences,
        title_terms=title_terms,
        chunks=Spans(objects["chunk_docs"], a["chunk_spans"]),
        chunk_rows=a["chunk_rows"],
        row_order=a["row_order"],
        # The graph's vectors mapped too: resident only once a search has touched them.
        dense=faiss.read_index(str(path / "dense.faiss"), faiss.IO_FLAG_MMAP_IFC),
        sentences=Spans(objects["sentence_docs"], a["sentence_spans"]),
        # Read row by row, not mapped: a question reads a few hundred (rowfile.py).
        sentence_vectors=RowFile(path / "sentence_vectors.npy"),
        sentence_terms=TermSets(objects["term_words"], a["term_ids"], a["term_offsets"]),
        entity_spans=EntitySpans(objects["entity_labels"], a["entity_rows"], a["entity_offsets"]),
        chunk_sentences=Ragged(a["chunk_sentence_ids"], a["chunk_sentence_offsets"]),
        sentence_chunk=a["sentence_chunk"],
        name=path.name,
        mapped=tuple(m for m in map(_mapping, a.values()) if m is not None),
    )


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    """The mapping of its file that an array read by ``_mapped`` views, if it was mapped."""
    mapping = getattr(array.base, "_mmap", None)  # np.memmap's (not public, but long stable)
    return mapping if isinstance(mapping, mmap.mmap) else None


def _mapped(path: Path) -> np.ndarray:
    """The array in ``path``, mapped (an empty one cannot be, and is read). Seen as a
    plain array: every slice of a ``np.memmap`` is one too, made at four times the cost
    (9 ms a question at 1M chunks)."""
    try:
        return np.asarray(np.load(path, mmap_mode="r"))
    except ValueError:
        return np.load(path)
