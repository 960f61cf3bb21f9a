"""The folds the fit is cross-fitted on: questions dealt out by story, so that no question
is judged by a model that saw another answer from its article. calibrate.py types each
question with a typer fitted without its fold, reads it with a reader fitted without its
half of the folds (fit_reader.py), and chooses the decline threshold on models fitted
without its fold (fit_select.py)."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sklearn.model_selection import GroupKFold

FOLDS = 5


def folds(stories: list[list[str]]) -> np.ndarray:
    """The fold (0..FOLDS-1) of each question, given the articles each cites (as keys unique
    across collections), the same on every run. Questions that cite a common article, or
    are linked through a chain of such questions, are one story and share a fold; a
    question that cites nothing (unanswerable) is a story of its own. The stories are
    numbered in an order drawn once, and GroupKFold deals them out by size."""
    keys = [cited or [f"#{n}"] for n, cited in enumerate(stories)]
    article = {k: i for i, k in enumerate(sorted({k for cited in keys for k in cited}))}
    # Each question joins its first article to the others it cites.
    links = [(article[c[0]], article[k]) for c in keys for k in c]
    rows, cols = zip(*links, strict=True)
    graph = coo_matrix((np.ones(len(links)), (rows, cols)), shape=(len(article),) * 2)
    n, component = connected_components(graph, directed=False)
    story = np.random.default_rng(0).permutation(n)
    groups = [story[component[article[c[0]]]] for c in keys]
    fold = np.zeros(len(stories), dtype=np.int64)
    for k, (_, test) in enumerate(GroupKFold(FOLDS).split(fold, groups=groups)):
        fold[test] = k
    return fold
