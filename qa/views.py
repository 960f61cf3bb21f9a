"""Views of a corpus's segments: per-row fields addressed by the ids that run across
segments, and per-article fields of the live articles."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from .segments import Live

if TYPE_CHECKING:
    from .corpus import Corpus


T = TypeVar("T")


class Rows(Generic[T]):
    """One per-row field of the segments, addressed by the ids that run across them."""

    def __init__(self, corpus: Corpus, name: str, sentences: bool) -> None:
        self._segments = [p.segment for p in corpus.live]
        key = "first_sentence" if sentences else "first_chunk"
        self._starts = [getattr(s, key) for s in self._segments]
        self._end = max(
            (getattr(s, "end_sentence" if sentences else "end_chunk") for s in self._segments),
            default=0,
        )
        self._name = name
        # Most of the time a collection is one merged segment: its rows, read directly.
        self._only = (
            (self._starts[0], getattr(self._segments[0], name))
            if len(self._segments) == 1
            else None
        )

    def __getitem__(self, i: int) -> T:
        if self._only is not None:
            start, only = self._only
            if start <= i < start + len(only):
                return only[i - start]
            raise IndexError(i)
        k = bisect.bisect_right(self._starts, i) - 1
        if k < 0 or i >= self._end:
            raise IndexError(i)
        seg = self._segments[k]
        rows = getattr(seg, self._name)
        local = i - self._starts[k]
        if local >= len(rows):
            raise IndexError(i)
        return rows[local]

    def __len__(self) -> int:
        """One past the highest id (ids of merged-away rows are never reused)."""
        return self._end

    def take(self, ids: np.ndarray) -> np.ndarray:
        """The rows of ``ids`` of an array field, stacked in that order: read segment by
        segment, one read per run of consecutive rows in a file, not one per row."""
        ids = np.asarray(ids, dtype=np.int64)
        low = self._starts[0] if self._starts else 0
        if len(ids) and (ids.min() < low or ids.max() >= self._end):
            raise IndexError(ids[(ids < low) | (ids >= self._end)][0])
        where = np.searchsorted(self._starts, ids, side="right") - 1
        parts = []
        for k in np.unique(where).tolist() or [0]:  # no ids: none of the first segment's
            at = np.flatnonzero(where == k)
            parts.append((at, getattr(self._segments[k], self._name)[ids[at] - self._starts[k]]))
        if len(parts) == 1:
            return parts[0][1]
        first = parts[0][1]
        out = np.empty((len(ids), *first.shape[1:]), dtype=first.dtype)
        for at, rows in parts:
            out[at] = rows
        return out


class PerDocument(Mapping[str, T]):
    """One per-article field of the segments, for the live articles."""

    def __init__(self, corpus: Corpus, name: str) -> None:
        self._live = corpus.live
        self._name = name

    def __getitem__(self, doc_id: str) -> T:
        for part in reversed(self._live):
            if part.alive(doc_id):
                return getattr(part.segment, self._name)[doc_id]
        raise KeyError(doc_id)

    def __iter__(self) -> Iterator[str]:
        for part in self._live:
            yield from (d for d in part.segment.documents if d not in part.dead)

    def __len__(self) -> int:
        return sum(len(p.segment.documents) - len(p.dead) for p in self._live)


class Sources(Mapping[str, frozenset[str]]):
    """Outlet or author name -> the live articles it wrote."""

    def __init__(self, live: tuple[Live, ...]) -> None:
        self._live = live

    def __getitem__(self, name: str) -> frozenset[str]:
        found = frozenset().union(
            *(p.segment.sources.get(name, frozenset()) - p.dead for p in self._live)
        )
        if not found:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter({n for p in self._live for n in p.segment.sources if n in self})

    def __len__(self) -> int:
        return sum(1 for _ in self)
