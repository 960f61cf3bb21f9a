"""A service's first corpus: from the saved segments, or built from nothing a piece at
a time.

A server starting on an archive whose segments were never saved (or a folder replaced by
another index) builds its corpus from every stored row. Built at once, a million chunks
peaked at 13 GB; here it is read and built PIECE_CHUNKS chunks at a time, all pieces from
one read transaction (one generation), each saved and opened from its files before the
next is read: 4.8 GB at a million chunks.

A big archive (APART_CHUNKS or more) is built in a process of its own, which saves the
pieces; the server then opens them as a warm start does. Built in the server's process, a
million chunks left it 1.2 GB of heap after its pieces were joined, against 0.4 GB for a
start that opens saved segments: the building's own objects and the holes they left.

Processes starting on one folder (the workers of `qa serve --workers N`) build it one at a
time: the first builds and saves it, and the others, waiting meanwhile, open what it saved
rather than build the same again (at a million chunks, six minutes and 4.8 GB each).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from index import Store

from . import saved
from .apart import Apart
from .corpus import Corpus
from .memory import give_back_memory
from .segments import Live, Segment

log = logging.getLogger(__name__)

# Five pieces at a million chunks, one size tier short of a merge (merging.py).
PIECE_CHUNKS = 200_000
# An archive of this many chunks or more is built in a process of its own (apart.py), as
# big merges are.
APART_CHUNKS = 100_000


def loaded(store: Store, kept: Callable[[Corpus], Corpus]) -> tuple[Corpus, bool]:
    """The newest generation in ``store``, as ``kept`` keeps it (saved, if the process
    owns the folder): the segments saved in its folder and what was written since, or,
    with none saved, built in pieces; and whether it was built in pieces (the service
    joins them in the background). Merges are left to the service."""
    previous = saved.open_saved(store)
    if previous is None:
        with saved.building(store.dir):  # another process may be building it
            previous = saved.open_saved(store)
            if previous is None:
                return kept(build_in_pieces(store)), True
    return kept(Corpus.load(store, previous, merge=False)), False


def build_in_pieces(store: Store) -> Corpus:
    """The newest generation in ``store``, its segments saved in the index folder (or
    kept in memory where it cannot be written): built by a process of its own when the
    archive is big, else here."""
    built = None
    if store.chunk_count() >= APART_CHUNKS and _writable(store.dir / saved.FOLDER):
        try:
            built = _built_apart(store)
        except Stopped:
            raise  # by a signal (Ctrl-C reaches both processes): the start is called off
        except Exception as e:  # a failure of its own: build it here
            log.warning("building the index apart failed (%s); building it here", e)
    generation, live = built or _built_here(store)
    # Read after the pieces, as Corpus.load reads it after its snapshot.
    return Corpus(generation=generation, live=live, lexical=store.lexical().view())


def _built_here(store: Store) -> tuple[int, tuple[Live, ...]]:
    """The generation read and its pieces, built one at a time, each saved and opened
    from its files before the next is read."""
    live: list[Live] = []
    generation, ids = store.generation(), (0, 0)
    for piece in store.snapshot_pieces(PIECE_CHUNKS):
        generation = piece.generation
        segment = _kept(Segment.build(piece, *ids), store)
        del piece  # its rows go before the next piece is read
        live.append(Live(segment))
        ids = (segment.end_chunk, segment.end_sentence)
    return generation, tuple(live)


def _writable(folder: Path) -> bool:
    """Whether pieces can be saved in ``folder`` (the building process saves every piece;
    where it cannot, they are built here and kept in memory)."""
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


class Stopped(RuntimeError):
    """The building process was ended by a signal."""


def _kept(segment: Segment, store: Store) -> Segment:
    kept = saved.persisted(segment, store.dir)
    give_back_memory()  # the rows it was built from
    return kept


def _built_apart(store: Store) -> tuple[int, tuple[Live, ...]]:
    """``_built_here`` run by a process of its own (apart.py), which saves every piece in
    the index folder; the pieces are opened here from their files."""
    apart = Apart(_build_apart, (store.dir, store.model, store.dim), "qa-build")
    apart.start()
    answer = apart.answer()
    exitcode = apart.process.exitcode
    if exitcode is not None and exitcode < 0:
        raise Stopped(f"the building process was ended by signal {-exitcode}")
    if not isinstance(answer, tuple) or exitcode != 0:
        raise RuntimeError(f"the building process failed ({answer or exitcode})")
    generation, names = answer
    return generation, tuple(Live(saved.opened(store.dir, name)) for name in names)


def _build_apart(index_dir: Path, model: str, dim: int) -> tuple[int, list[str]]:
    """In the building process: every piece built and saved; the generation and the
    pieces' names."""
    store = Store(index_dir, model, dim, create=False)
    try:
        generation, live = _built_here(store)
    finally:
        store.close()
    segments = [p.segment for p in live]
    if not all(saved.is_saved(s, index_dir) for s in segments):
        raise OSError(f"the pieces could not be saved in {index_dir}")
    return generation, [s.name for s in segments]
