"""Each sentence's index terms, held as ids into one sorted vocabulary.

A frozenset of strings per sentence took about 1.2 KB a sentence, the largest thing a
big segment held (341 MB of a 101k-chunk archive's 1.3 GB). As ids in one array, with
each sentence's share marked by offsets, it is a few bytes a term; a sentence's set is
made when asked for, which only the few dozen sentences a question weighs are.
"""

from __future__ import annotations

from collections.abc import Iterable

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
