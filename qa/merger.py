"""Merging in the background: a service's reloads never wait for a merge.

A merge of big segments takes minutes (a million chunks' graph alone takes about six), and
done inside a reload it would hold back every article written meanwhile. So a service
plans a merge (``plan``), reserving the ids the merged segment will take so that the
segments its reloads build meanwhile are numbered past them, joins the segments in a
thread of its own (``run``), and then swaps the result in (``swap_in``): the articles that
died in the merged segments while it ran are marked dead in the merged one, as a reload
would have marked them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from .corpus import Corpus, next_ids
from .merging import merge, merge_policy
from .segments import Live, Segment


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


def run(planned: Planned) -> Segment:
    """The merged segment (slow: this is what runs in the background)."""
    return merge(list(planned.parts), planned.first_chunk, planned.first_sentence)


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
