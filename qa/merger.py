"""Merging in the background: a service's reloads never wait for a merge.

A merge of big segments takes minutes (every segment of a 1M-chunk archive into one: three),
and done inside a reload it would hold back every article written meanwhile. So a service
plans a merge (``plan``), reserving the ids the merged segment will take so that the
segments its reloads build meanwhile are numbered past them, joins the segments in a
thread of its own (``run``), and then swaps the result in (``swap_in``): the articles that
died in the merged segments while it ran are marked dead in the merged one, as a reload
would have marked them.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from index import Store

from . import saved
from .corpus import Corpus
from .memory import give_back_memory
from .merging import merge, merge_policy, next_ids
from .segments import Live, Segment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Planned:
    """A merge under way: the segments it joins, as they were when it began, and the
    ids it numbers its rows from."""

    parts: tuple[Live, ...]
    first_chunk: int
    first_sentence: int


def plan(corpus: Corpus) -> tuple[Corpus, Planned] | None:
    """The merge the policy asks for in ``corpus``, and ``corpus`` with its ids reserved;
    None when nothing needs merging."""
    pick = merge_policy(corpus.live)
    if not pick:
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

    def merge_later(self) -> None:
        """Start the merge the policy asks for in a thread of its own, unless one is
        running (it starts the next when it ends). Answers and reloads go on meanwhile."""
        with self._lock:
            if self._merging is None:
                self._start_merge()

    def _start_merge(self) -> None:
        """(Holding the lock.)"""
        planned = plan(self.corpus)
        if planned is not None and not self._stop.is_set():
            self.corpus, job = planned
            self._merging = threading.Thread(
                target=self._merge, args=(job, self.store), name="index-merger", daemon=True
            )
            self._merging.start()

    def _merge(self, job: Planned, store: Store) -> None:
        merged: Segment | None = None
        scratch = saved.scratch_file(store)  # the merged sentence vectors, on disk
        try:
            # Saved before the swap, which then only names it.
            merged = saved.persisted(run(job, scratch), store)
        except Exception:
            log.exception("a merge failed; the segments stay as they are")
        finally:
            if scratch is not None:  # saved under the segment's name, or read while open
                scratch.unlink(missing_ok=True)
        with self._lock:
            self._merging = None
            swapped = swap_in(self.corpus, job, merged) if merged is not None else None
            if swapped is not None:
                self.corpus = saved.keep(swapped, store)
                self._start_merge()  # the next the policy asks for, if any
        give_back_memory()

    def merged(self) -> None:
        """Wait until no merge is under way (tests, benchmarks)."""
        while (thread := self._merging) is not None:
            thread.join()
