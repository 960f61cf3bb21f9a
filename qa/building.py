"""A service's first corpus: from the saved segments, or built from nothing a piece at
a time.

A server starting on an archive whose segments were never saved (or a folder replaced by
another index) builds its corpus from every stored row. Built at once, a million chunks
peaked at 13 GB; here it is read and built PIECE_CHUNKS chunks at a time, all pieces from
one read transaction (one generation), each saved and opened from its files before the
next is read: 4.8 GB at a million chunks.

Processes starting on one folder (the workers of `qa serve --workers N`) build it one at a
time: the first builds and saves it, and the others, waiting meanwhile, open what it saved
rather than build the same again (at a million chunks, six minutes and 4.8 GB each).
"""

from __future__ import annotations

from collections.abc import Callable

from index import Store

from . import saved
from .corpus import Corpus
from .memory import give_back_memory
from .segments import Live, Segment

# Five pieces at a million chunks, one size tier short of a merge (merging.py).
PIECE_CHUNKS = 200_000


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
    kept in memory where it cannot be written)."""
    live: list[Live] = []
    generation, ids = store.generation(), (0, 0)
    for piece in store.snapshot_pieces(PIECE_CHUNKS):
        generation = piece.generation
        segment = _kept(Segment.build(piece, *ids), store)
        del piece  # its rows go before the next piece is read
        live.append(Live(segment))
        ids = (segment.end_chunk, segment.end_sentence)
    # Read after the pieces, as Corpus.load reads it after its snapshot.
    return Corpus(generation=generation, live=tuple(live), lexical=store.lexical().view())


def _kept(segment: Segment, store: Store) -> Segment:
    kept = saved.persisted(segment, store.dir)
    give_back_memory()  # the rows it was built from
    return kept
