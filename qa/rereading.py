"""Choose the answer's sentence among the ranker's best with the reader (reader.py): the
one whose ranker score plus the reader's logit, by a fitted weight, is highest.

Out of fold, the ranker's best sentence holds the answer for 0.705 of the news questions
whose candidates hold one; chosen so among its best two, 0.730 (among three, 0.735,
measured before a reprint's copies were passed over), for a reader's pass each
(bench/RESULTS.md, "nineteenth").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .corpus import Corpus

READ_TOP = 2  # the ranker's best sentences the reader reads to choose among
# The reader's logits for sentences (by index in the corpus), read together.
Reading = Callable[[list[int]], list[float]]


def sentence_text(corpus: Corpus) -> Callable[[int], str]:
    """The text of a sentence of ``corpus``, by its index: what choose tells copies by."""
    return lambda i: corpus.text(corpus.sentences[i])


def choose(
    scores: np.ndarray,
    ids: np.ndarray,
    reread: float,
    reader: Reading | None,
    text: Callable[[int], str] = str,
) -> tuple[int, dict[int, float]]:
    """The position of the winning candidate, and the reader's logits for those it read
    (by index in the corpus): the ranker's best, or, with a reader and a weight ``reread``,
    the best of the ranker's READ_TOP sentences of different ``text`` (a reprint's copy of
    a sentence reads the same, so the next one is read instead; all are read together)
    by score plus the weighted logit. A sentence of the ranker's best's article that loses
    to one of the same article is quoted with it all the same (select._answer_sentences:
    it scores better)."""
    if reader is None or not reread:
        return int(np.argmax(scores)), {}
    top: list[int] = []
    seen: set[str] = set()
    for k in np.argsort(-scores, kind="stable").tolist():
        if (t := text(int(ids[k]))) not in seen:
            top.append(k)
            seen.add(t)
            if len(top) == READ_TOP:
                break
    read_ids = [int(ids[k]) for k in top]
    read = dict(zip(read_ids, reader(read_ids), strict=True))
    return max(top, key=lambda k: scores[k] + reread * read[int(ids[k])]), read
