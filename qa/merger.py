"""Merging in the background: a service's reloads never wait for a merge.

A merge of big segments takes minutes (every segment of a 1M-chunk archive into one: three),
and done inside a reload it would hold back every article written meanwhile. So a service
plans a merge (``plan``), reserving the ids the merged segment will take so that the
segments its reloads build meanwhile are numbered past them, joins the segments in a
thread of its own (``run``), and then swaps the result in (``swap_in``): the articles that
died in the merged segments while it ran are marked dead in the merged one, as a reload
would have marked them.

A big merge (PROCESS_CHUNKS or more, of saved segments) runs in a process of its own,
which opens the segments from their folders and saves the merged one there: what it
holds while merging (GBs at a million chunks) is never the server's memory, and its
Python work never holds the server's interpreter lock. A small one runs in the thread:
a process takes 0.4 s to start and import what it needs.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from multiprocessing.process import BaseProcess
from pathlib import Path

from index import Store

from . import saved
from .apart import Apart
from .corpus import Corpus
from .memory import give_back_memory
from .merging import merge, merge_policy, next_ids
from .segments import Live, Segment

log = logging.getLogger(__name__)

# A merge of this many chunks or more runs in a process of its own (when its segments are
# saved). Every segment of a million chunks merged in the server's process took its peak
# RSS to 5.5 GB, and 3.7 GB merged apart (bench/scale.py measure --merge[-here]).
PROCESS_CHUNKS = 100_000


@dataclass(frozen=True)
class Planned:
    """A merge under way: the segments it joins, as they were when it began, and the
    ids it numbers its rows from."""

    parts: tuple[Live, ...]
    first_chunk: int
    first_sentence: int


def plan(corpus: Corpus, everything: bool = False) -> tuple[Corpus, Planned] | None:
    """The merge the policy asks for in ``corpus`` (of every segment, if ``everything``),
    and ``corpus`` with its ids reserved; None when nothing needs merging."""
    pick = list(range(len(corpus.live))) if everything else merge_policy(corpus.live)
    if len(pick) < (2 if everything else 1):
        return None
    parts = tuple(corpus.live[i] for i in pick)
    first = next_ids(corpus.live, corpus.next_free)
    # Every row of the parts, dead or not: a few ids too many are never used, which is
    # allowed (ids of merged-away rows are never reused either).
    reserved = (
        first[0] + sum(len(p.segment.chunks) for p in parts),
        first[1] + sum(len(p.segment.sentences) for p in parts),
    )
    return replace(corpus, next_free=reserved), Planned(parts, *first)


def run(planned: Planned, vectors_file: Path | None = None) -> Segment:
    """The merged segment (slow: this is what runs in the background), its sentence
    vectors written to ``vectors_file`` when given."""
    return merge(list(planned.parts), planned.first_chunk, planned.first_sentence, vectors_file)


def run_saved(planned: Planned, index_dir: Path) -> Segment:
    """The merged segment, saved in ``index_dir`` and opened from there (the segment
    itself where it cannot be saved), its sentence vectors written through a scratch
    file there."""
    scratch = saved.scratch_file(index_dir)
    try:
        return saved.persisted(run(planned, scratch), index_dir)
    finally:
        if scratch is not None:  # saved under the segment's name, or read while open
            scratch.unlink(missing_ok=True)


def _merge_apart(
    index_dir: Path,
    names: list[str],
    dead: list[list[str]],
    first_chunk: int,
    first_sentence: int,
) -> str:
    """In the merging process: the saved segments ``names`` (with the articles ``dead`` in
    each) merged and saved; the merged segment's name."""
    parts = tuple(
        Live(saved.opened(index_dir, name), frozenset(d))
        for name, d in zip(names, dead, strict=True)
    )
    merged = run_saved(Planned(parts, first_chunk, first_sentence), index_dir)
    if not saved.is_saved(merged, index_dir):
        raise OSError(f"the merged segment could not be saved in {index_dir}")
    return merged.name


def swap_in(corpus: Corpus, planned: Planned, merged: Segment) -> Corpus | None:
    """``corpus`` with the planned parts replaced by ``merged``, the articles that died
    in them since the merge began dead in it; None if a part is gone from ``corpus`` (all
    its articles died, or the folder now holds another index): the merge is dropped."""
    now = {id(p.segment): p for p in corpus.live}
    if any(id(p.segment) not in now for p in planned.parts):
        return None
    died = frozenset().union(*(now[id(p.segment)].dead - p.dead for p in planned.parts))
    joined = {id(p.segment) for p in planned.parts}
    live = [p for p in corpus.live if id(p.segment) not in joined]
    live.append(Live(merged, died & merged.documents.keys()))
    live.sort(key=lambda p: p.segment.first_chunk)  # the views look rows up by first id
    return replace(corpus, live=tuple(live))


class Merging:
    """The background merges of a service (``QA``, service.py): one at a time, each
    started when a reload leaves the policy something to merge."""

    corpus: Corpus
    store: Store
    _lock: threading.Lock
    _stop: threading.Event
    _merging: threading.Thread | None
    # Merge threads that have finished their merge but may not have returned yet: until
    # they do, their frames still hold the segments they merged away.
    _ended: list[threading.Thread]
    _merge_process: BaseProcess | None = None
    _join_wanted = False  # join_pieces asked while a merge ran
    _owner: saved.Owner  # only the process that owns the folder merges (saved.py)

    def merge_later(self) -> None:
        """Start the merge the policy asks for in a thread of its own, unless one is
        running (it starts the next when it ends). Answers and reloads go on meanwhile."""
        with self._lock:
            if self._merging is None:
                self._start_merge()

    def join_pieces(self) -> None:
        """Merge every segment into one in the background: those of a corpus built from
        nothing, which is built in pieces to keep its memory in bounds (building.py), and
        whose pieces, one size tier short of a merge, would each be searched apart (at a
        million chunks, p50 27 ms against 17 for one segment)."""
        with self._lock:
            self._join_wanted = True  # by the merge under way, if any, when it ends
            if self._merging is None:
                self._start_merge()

    def _start_merge(self) -> None:
        """(Holding the lock.)"""
        if self._stop.is_set() or not self._owner.owns():
            return
        everything, self._join_wanted = self._join_wanted, False
        planned = plan(self.corpus, everything)
        if planned is not None:
            self.corpus, job = planned
            self._merging = threading.Thread(
                target=self._merge, args=(job, self.store), name="index-merger", daemon=True
            )
            self._merging.start()

    def _merge(self, job: Planned, store: Store) -> None:
        merged: Segment | None = None
        try:
            big = sum(len(p.segment.chunks) for p in job.parts) >= PROCESS_CHUNKS
            if big and all(saved.is_saved(p.segment, store.dir) for p in job.parts):
                merged = self.merge_apart(job, store.dir)
            else:
                merged = run_saved(job, store.dir)  # saved before the swap, which only names it
        except Exception:
            log.exception("a merge failed; the segments stay as they are")
        with self._lock:
            self._merging = None
            # (those that have returned are dropped: a server never calls merged(), and
            # would otherwise keep one thread for every merge it ever ran)
            self._ended = [t for t in self._ended if t.is_alive()]
            self._ended.append(threading.current_thread())
            swapped = swap_in(self.corpus, job, merged) if merged is not None else None
            if swapped is not None:
                self.corpus = saved.keep(swapped, store)
            self._start_merge()  # the next the policy (or join_pieces) asks for, if any
        give_back_memory()

    def merge_apart(self, job: Planned, index_dir: Path) -> Segment | None:
        """``job`` (of saved segments) merged and saved by a process of its own (apart.py),
        and opened here; None if the service stopped it."""
        names = [p.segment.name for p in job.parts]
        dead = [sorted(p.dead) for p in job.parts]
        args = (index_dir, names, dead, job.first_chunk, job.first_sentence)
        apart = Apart(_merge_apart, args, "qa-merge")
        with self._lock:
            if self._stop.is_set():
                apart.close()
                return None
            apart.start()
            self._merge_process = apart.process
        try:
            answer = apart.answer()
        finally:
            self._merge_process = None
        if self._stop.is_set():
            return None
        if not isinstance(answer, str) or apart.process.exitcode != 0:
            raise RuntimeError(f"the merging process failed ({answer or apart.process.exitcode})")
        return saved.opened(index_dir, answer)

    def stop_merging(self) -> None:
        """End a merging process (the service is closing): the segments stay as they are,
        and a segment it was saving is deleted by a later save, as no manifest names it."""
        with self._lock:
            process = self._merge_process
        if process is not None and process.is_alive():
            process.terminate()

    def merged(self) -> None:
        """Wait until no merge is under way and every merge thread has returned (tests,
        benchmarks): a thread that swapped its result in holds the merged-away segments
        until it returns. Read under the lock: a merge ending starts the next (a join asked
        for meanwhile) within the same hold, and read without it, the moment between the
        two looked like no merge at all."""
        while True:
            with self._lock:
                threads = [
                    t for t in (self._merging, *self._ended) if t is not None and t.is_alive()
                ]
            if not threads:
                return
            for thread in threads:
                thread.join()
