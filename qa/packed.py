"""What a segment holds per sentence, packed into arrays: each sentence's index terms and
its named entities. (A saved segment's articles are packed in packed_articles.py.)

Python objects per sentence were most of a big segment's memory: a frozenset of strings
took about 1.2 KB a sentence (341 MB of a 101k-chunk archive's 1.3 GB) and a list of
entity tuples 0.4 KB (112 MB). In one array, with each sentence's share marked by
offsets, they take a few bytes an item; a sentence's own is made when asked for, which
only the few dozen sentences a question weighs are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np


@dataclass(frozen=True, slots=True)
class Span:
    doc_id: str
    ordinal: int
    start: int
    end: int


class TermSets:
    """The terms of each of a segment's sentences, by position."""

    def __init__(self, vocabulary: list[str], ids: np.ndarray, offsets: np.ndarray) -> None:
        self.vocabulary = vocabulary  # every term used, sorted
        self.ids = ids  # the terms of every sentence, one after another
        self.offsets = offsets  # where each sentence's terms start (and one past the end)

    @classmethod
    def of(cls, sets: Iterable[Iterable[str]]) -> TermSets:
        listed = [list(s) for s in sets]
        vocabulary = sorted({t for s in listed for t in s})
        number = {t: i for i, t in enumerate(vocabulary)}
        ids = np.fromiter((number[t] for s in listed for t in s), dtype=np.int32)
        offsets = np.zeros(len(listed) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in listed], out=offsets[1:])
        return cls(vocabulary, ids, offsets)

    def __getitem__(self, i: int) -> frozenset[str]:
        n = len(self.offsets) - 1
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        start, end = self.offsets[i : i + 2].tolist()
        return frozenset(map(self.vocabulary.__getitem__, self.ids[start:end].tolist()))

    def __len__(self) -> int:
        return len(self.offsets) - 1


class EntitySpans:
    """The named entities of each of a segment's sentences: (start, end, label), with
    offsets within the sentence."""

    def __init__(self, labels: list[str], spans: np.ndarray, offsets: np.ndarray) -> None:
        self.labels = labels  # every label used
        self.spans = spans  # (start, end, label id) of every entity, one after another
        self.offsets = offsets  # where each sentence's entities start (and one past the end)

    @classmethod
    def of(cls, per_sentence: Sequence[Sequence[tuple[int, int, str]]]) -> EntitySpans:
        labels = sorted({label for spans in per_sentence for _, _, label in spans})
        number = {label: i for i, label in enumerate(labels)}
        rows = [(a, b, number[label]) for spans in per_sentence for a, b, label in spans]
        spans = np.array(rows, dtype=np.int32).reshape(len(rows), 3)
        offsets = np.zeros(len(per_sentence) + 1, dtype=np.int64)
        np.cumsum([len(s) for s in per_sentence], out=offsets[1:])
        return cls(labels, spans, offsets)

    def __getitem__(self, i: int) -> list[tuple[int, int, str]]:
        n = len(self.offsets) - 1
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        rows = self.spans[self.offsets[i] : self.offsets[i + 1]].tolist()
        return [(a, b, self.labels[k]) for a, b, k in rows]

    def __len__(self) -> int:
        return len(self.offsets) - 1


class Spans(Sequence[Span]):
    """A segment's chunks or sentences, by position: (doc_id, ordinal, start, end) held as
    one row of integers each, with the doc_ids numbered: 16 bytes a row, against about
    120 for a list of ``Span`` objects (the object, its two large integers, the list's
    pointer: 0.46 GB for the 3.8M chunks and sentences of 1M chunks)."""

    def __init__(self, doc_ids: list[str], rows: np.ndarray) -> None:
        self.doc_ids = doc_ids  # every article the rows belong to, in order of first use
        self.rows = rows  # (article number, ordinal, start, end) per row, int32

    @classmethod
    def of(cls, spans: Iterable[tuple[str, int, int, int]]) -> Spans:
        number: dict[str, int] = {}
        rows = [(number.setdefault(d, len(number)), o, s, e) for d, o, s, e in spans]
        return cls(list(number), np.array(rows, dtype=np.int32).reshape(len(rows), 4))

    @overload
    def __getitem__(self, i: int) -> Span: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Span]: ...
    def __getitem__(self, i: int | slice) -> Span | Sequence[Span]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        doc, ordinal, start, end = self.rows[i].tolist()
        return Span(self.doc_ids[doc], ordinal, start, end)

    def __len__(self) -> int:
        return len(self.rows)


class Ragged(Sequence[np.ndarray]):
    """Arrays of integers of different lengths, one after another, with offsets: the
    sentences of each chunk."""

    def __init__(self, values: np.ndarray, offsets: np.ndarray) -> None:
        self.values = values
        self.offsets = offsets  # where each array starts (and one past the last)

    @classmethod
    def of(cls, arrays: Sequence[np.ndarray]) -> Ragged:
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum([len(a) for a in arrays], out=offsets[1:])
        values = np.concatenate([*arrays, np.zeros(0, np.int64)]).astype(np.int64)
        return cls(values, offsets)

    @overload
    def __getitem__(self, i: int) -> np.ndarray: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[np.ndarray]: ...
    def __getitem__(self, i: int | slice) -> np.ndarray | Sequence[np.ndarray]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self.offsets) - 1
        if not -n <= i < n:
            raise IndexError(i)
        i %= n
        return self.values[self.offsets[i] : self.offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1
