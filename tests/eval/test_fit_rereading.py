"""The weight of the reader's logit in choosing, fitted out of fold."""

from types import SimpleNamespace

import numpy as np
import pytest

from eval.fit_rereading import REREAD_WEIGHTS, fit_reread
from eval.folds import FOLDS


def test_the_reread_weight_is_the_one_that_chooses_right_most_often_out_of_fold():
    """Where the reader knows which of the ranker's best two holds the answer, a weight
    that lets it overrule a small margin is chosen; where it reads at random, none. Each
    fold is ranked by the ranker fitted without it (any other ranks it wrong here)."""
    rng = np.random.default_rng(0)
    fold = np.arange(200) % FOLDS
    ranks = [{"without": float(k)} for k in range(FOLDS)]

    def rows(reader_knows: bool):
        out = []
        for n in range(200):
            right = n % 3  # the ranker's second (1 in 3) or its first holds the answer
            labels = np.array([right != 1, right == 1, False])
            good = np.array([1.0, 0.6, -2.0])

            def scores(rank, good=good, k=fold[n]):
                return good if rank["without"] == k else good[::-1]

            logits = 4.0 * (labels - 0.5) if reader_knows else rng.normal(0, 2, 3)
            out.append(
                SimpleNamespace(
                    news=True,
                    labels=labels,
                    read=SimpleNamespace(about=None),
                    corpus=SimpleNamespace(sentences=["s0", "s1", "s2"], text=str),
                    candidates=SimpleNamespace(ids=np.arange(3), scores=scores),
                    reader=lambda ids, z=logits: [float(z[i]) for i in ids],
                )
            )
        return out

    knows = fit_reread(rows(True), fold, ranks)
    assert knows.weight > 0 and knows.right[knows.weight] == 1.0
    assert knows.right[0.0] == pytest.approx(2 / 3, abs=0.01)
    guesses = fit_reread(rows(False), fold, ranks)
    assert guesses.weight == 0.0 and set(guesses.right) == set(REREAD_WEIGHTS)
    none = [SimpleNamespace(**{**vars(r), "reader": None}) for r in rows(True)]
    assert fit_reread(none, fold, ranks).weight == 0.0
