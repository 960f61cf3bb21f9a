"""Fit the weight of the reader's logit in choosing among the ranker's best sentences
(qa/rereading.py): the one of REREAD_WEIGHTS that picks a sentence holding an accepted
answer most often among news questions, out of fold (rankers fitted without the
question's fold, readings by the reader fitted without its half, fit_reader.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from qa.rereading import choose, sentence_text

from .folds import FOLDS

if TYPE_CHECKING:
    from .fit_select import Described

# The weights tried. On the fit's news and SQuAD questions, the ranker's scores of its
# best four span about 14 and the reader's logits about 8 (1st to 99th percentile,
# nineteenth session).
REREAD_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0)


def top1(rows: list[Described], rank: dict[str, float], reread: float) -> list[bool]:
    """For each answerable news question with a right candidate (and not answered from an
    article's header): whether the sentence chosen under ``rank`` and ``reread`` holds an
    accepted answer."""
    right = []
    for r in rows:
        if not r.news or not r.labels.any() or r.read.about:
            continue
        scores, ids = r.candidates.scores(rank), r.candidates.ids
        best, _ = choose(scores, ids, reread, r.reader, sentence_text(r.corpus))
        right.append(bool(r.labels[best]))
    return right


@dataclass(frozen=True)
class Reread:
    """The weight of the reader's logit in choosing, and the share of news questions whose
    chosen sentence holds the answer under each weight tried, out of fold."""

    weight: float
    right: dict[float, float]


def fit_reread(rows: list[Described], fold: np.ndarray, ranks: list[dict[str, float]]) -> Reread:
    """The REREAD_WEIGHTS weight choosing right most often out of fold (the least of those
    tied; 0 without a reader); ``ranks[k]`` is fitted without fold ``k``. The weight is
    chosen on all folds, and the threshold's out-of-fold answers then use it: one number
    of eight, on a flat curve (0.730 from 0.5 to 2 in the nineteenth session's fit)."""
    weights = REREAD_WEIGHTS if any(r.reader for r in rows) else (0.0,)
    tests = [[r for r, f in zip(rows, fold, strict=True) if f == k] for k in range(FOLDS)]
    right = {}
    for w in weights:
        chosen = [x for k in range(FOLDS) for x in top1(tests[k], ranks[k], w)]
        right[w] = float(np.mean(chosen)) if chosen else 0.0  # no news question to judge by
    return Reread(max(weights, key=lambda w: (round(right[w], 6), -w)), right)
