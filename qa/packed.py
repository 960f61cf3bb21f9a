"""What a segment holds per sentence, packed into arrays: each sentence's index terms and
its named entities.

Python objects per sentence were most of a big segment's memory: a frozenset of strings
took about 1.2 KB a sentence (341 MB of a 101k-chunk archive's 1.3 GB) and a list of
entity tuples 0.4 KB (112 MB). In one array, with each sentence's share marked by
offsets, they take a few bytes an item; a sentence's own is made when asked for, which
only the few dozen sentences a question weighs are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


class TermSets:
    """The terms of each of a segment's sentences, by position."""

    def __init__(self, vocabulary: list[str], ids: np.ndarray, offsets: np.ndarray) -> None:
        self.vocabulary = vocabulary  # every term used, sorted
        self._ids = ids  # the terms of every sentence, one after another
        self._offsets = offsets  # where each sentence's terms start (and one past the end)

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
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        words = self.vocabulary
        return frozenset(words[j] for j in self._ids[self._offsets[i] : self._offsets[i + 1]])

    def __len__(self) -> int:
        return len(self._offsets) - 1


class EntitySpans:
    """The named entities of each of a segment's sentences: (start, end, label), with
    offsets within the sentence."""

    def __init__(self, labels: list[str], spans: np.ndarray, offsets: np.ndarray) -> None:
        self._labels = labels  # every label used
        self._spans = spans  # (start, end, label id) of every entity, one after another
        self._offsets = offsets  # where each sentence's entities start (and one past the end)

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
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        rows = self._spans[self._offsets[i] : self._offsets[i + 1]].tolist()
        return [(a, b, self._labels[k]) for a, b, k in rows]

    def __len__(self) -> int:
        return len(self._offsets) - 1
