"""Segments saved in the index folder, so that a reader starting up opens them instead of
building them again from every stored row.

Building a corpus from the store reads every row and works out what each sentence holds
(its terms, the chunks it overlaps) and each segment's graph: 37 s at 100k chunks, 383 s
at a million. So a reader saves what it built (``keep``): each segment into a folder of
its own, written once and never changed, and a manifest naming the segments of one
generation with the articles dead in each. Starting (``open_saved``), it opens the
segments the manifest names, their graphs and per-row arrays mapped from the files and
their sentence vectors read as needed (rowfile.py), and then reads from the store only
what changed since that generation: 7 s at a million chunks.

The saved segments are a cache: the store stays the record. A manifest of another index
or format, or one that does not open whole, is passed over and the corpus is built from
the store again; a folder that cannot be written to is left as it is.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import pickle
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import faiss
import numpy as np

from index import Store

from .corpus import Corpus
from .packed import EntitySpans, Ragged, Spans, TermSets, Texts
from .rowfile import RowFile
from .segments import Live, Segment

log = logging.getLogger(__name__)

FOLDER = "segments"
MANIFEST = "manifest.json"
LOCK = "lock"
FORMAT = 3  # 3: the articles' texts in a file of their own, read when looked up
# A segment folder no manifest names is deleted after this many seconds, and so is a
# merge's scratch file (named so) left by a process that died merging.
UNNAMED_KEPT = 600
SCRATCH = ".merging-"

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
    "texts",
    "text_offsets",
)
# What a segment holds as Python objects (articles, words): read whole when opened.
_OBJECTS = (
    "first_chunk",
    "first_sentence",
    "documents",
    "doc_chunks",
    "doc_sentences",
    "title_terms",
    "sources",
    "words",
    "vocabulary",
    "numbers",
    "header_words",
)


def open_saved(store: Store) -> Corpus | None:
    """The corpus the index folder's manifest names, with its segments opened from their
    files; None if there is none for this index that opens whole."""
    folder = store.dir / FOLDER
    if not (folder / MANIFEST).exists():
        return None
    try:
        with _locked(folder, fcntl.LOCK_SH):
            manifest = json.loads((folder / MANIFEST).read_text())
            if manifest.get("format") != FORMAT or manifest.get("index") != _identity(store):
                return None
            live = tuple(
                Live(_open(folder / p["name"]), frozenset(p["dead"])) for p in manifest["live"]
            )
    except Exception as e:  # a cache: whatever fails, the store is read instead
        log.warning("the saved segments in %s do not open (%s): reading the store", folder, e)
        return None
    return Corpus(generation=manifest["generation"], live=live, lexical=store.lexical().view())


def keep(corpus: Corpus, store: Store) -> Corpus:
    """Save ``corpus``'s segments that are not saved yet and name them all in the
    manifest; returns ``corpus`` with the segments it built in memory replaced by their
    saved, mapped form. Left as it is when the folder cannot be written to, or another
    process is saving."""
    folder = store.dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        with _locked(folder, fcntl.LOCK_EX | fcntl.LOCK_NB):
            opened = [Live(_saved(p.segment, folder), p.dead) for p in corpus.live]
            before = _named(folder)
            manifest = {
                "format": FORMAT,
                "index": _identity(store),
                "generation": corpus.generation,
                "live": [{"name": p.segment.name, "dead": sorted(p.dead)} for p in opened],
            }
            tmp = folder / f"{MANIFEST}.tmp"
            tmp.write_text(json.dumps(manifest))
            os.replace(tmp, folder / MANIFEST)
            # Segments merged away (named before, not now), and any other not named
            # for a while (one saved ahead of its merge's end is named soon after; one
            # a process died writing, never). A reader that mapped them keeps its mapping.
            named = {p.segment.name for p in opened}
            for path in folder.iterdir():
                try:
                    old = time.time() - path.stat().st_mtime > UNNAMED_KEPT
                except FileNotFoundError:  # another process's scratch file, just gone
                    continue
                if path.name.startswith(SCRATCH) and old:  # a merge that died
                    path.unlink(missing_ok=True)
                if not path.is_dir() or path.name in named:
                    continue
                if path.name in before or old:
                    shutil.rmtree(path, ignore_errors=True)
    except BlockingIOError:
        return corpus
    except Exception as e:  # a cache: a full disk or a read-only folder only costs time
        log.info("segments not saved in %s: %s", folder, e)
        return corpus
    return replace(corpus, live=tuple(opened))


def persisted(segment: Segment, index_dir: Path) -> Segment:
    """``segment`` saved in the index folder ``index_dir`` and opened from it (a merge
    saves its segment before it is swapped in, so that the swap does not wait for the
    writing); ``segment`` itself if it cannot be saved."""
    folder = index_dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        with _locked(folder, fcntl.LOCK_EX):
            return _saved(segment, folder)
    except Exception as e:
        log.info("segment not saved in %s: %s", folder, e)
        return segment


def _saved(segment: Segment, folder: Path) -> Segment:
    """``segment`` as opened from its folder in ``folder``, written there first if it
    is not yet (hold the lock)."""
    if not (folder / segment.name).is_dir():
        _write(segment, folder)
    elif isinstance(segment.sentence_vectors, RowFile):
        return segment  # opened from there already
    return _open(folder / segment.name)


def is_saved(segment: Segment, index_dir: Path) -> bool:
    """Whether ``segment`` was opened from its folder in ``index_dir`` (another process
    can open it there)."""
    return (
        isinstance(segment.sentence_vectors, RowFile)
        and (index_dir / FOLDER / segment.name).is_dir()
    )


def opened(index_dir: Path, name: str) -> Segment:
    """The segment saved as ``name`` in ``index_dir``, opened."""
    return _open(index_dir / FOLDER / name)


def _named(folder: Path) -> set[str]:
    """The segments the manifest in ``folder`` names (none if it does not read)."""
    try:
        return {p["name"] for p in json.loads((folder / MANIFEST).read_text())["live"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _identity(store: Store) -> str:
    return f"{store.index_id}/{store.model}/{store.dim}"


@contextlib.contextmanager
def _locked(folder: Path, how: int) -> Iterator[None]:
    # Read-only for a shared lock: a reader may open segments in a folder it cannot write.
    with open(folder / LOCK, "r" if how == fcntl.LOCK_SH else "a+") as f:
        fcntl.flock(f, how)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _write(seg: Segment, folder: Path) -> None:
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
        **dict(zip(("texts", "text_offsets"), Texts.pack(seg.documents), strict=True)),
    }
    for name in _ARRAYS:
        value = arrays[name]
        if isinstance(value, RowFile):  # a merge's, in a file already: linked, not read
            _linked(value.path, tmp / f"{name}.npy")
        else:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(value))
    faiss.write_index(seg.dense, str(tmp / "dense.faiss"))
    objects = {name: getattr(seg, name) for name in _OBJECTS}
    objects["documents"] = {d: replace(doc, text="") for d, doc in seg.documents.items()}
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


def scratch_file(index_dir: Path) -> Path | None:
    """A new file in the index folder ``index_dir`` for a merge's sentence vectors (linked
    into the merged segment's folder when it is saved); None where it cannot be written."""
    folder = index_dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        path = folder / f"{SCRATCH}{uuid.uuid4().hex}.npy"
        path.touch()
    except OSError:
        return None
    return path


def _open(path: Path) -> Segment:
    """The segment saved at ``path``, its arrays mapped from their files (the sentence
    vectors read from theirs)."""
    with open(path / "objects.pickle", "rb") as f:
        objects = pickle.load(f)  # noqa: S301 (written by this module, in the index folder)
    a = {name: _mapped(path / f"{name}.npy") for name in _ARRAYS if name != "sentence_vectors"}
    return Segment(
        **{name: objects[name] for name in _OBJECTS if name != "documents"},
        documents=Texts(objects["documents"], a["texts"], a["text_offsets"]),
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
    )


def _mapped(path: Path) -> np.ndarray:
    """The array in ``path``, mapped (an empty one cannot be, and is read). Seen as a
    plain array: every slice of a ``np.memmap`` is one too, made at four times the cost
    (9 ms a question at 1M chunks)."""
    try:
        return np.asarray(np.load(path, mmap_mode="r"))
    except ValueError:
        return np.load(path)
