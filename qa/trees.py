"""A fitted ensemble of gradient-boosted regression trees, stored as plain lists and read
without scikit-learn: half of the answerability (select.py).

Each tree is five parallel lists over its nodes: the feature a node splits on, the
threshold (the row goes left when its value is at most that), the left and right child
(-1 at a leaf), and the leaf's value. scikit-learn's thresholds are doubles that rows in
single precision are compared with; each is stored as the largest single-precision number
at most it (which sends every such row the same way), in the fewest digits that read
back as that number. The log-odds are the initial log-odds plus the learning rate times
the sum of the leaves the row reaches, as scikit-learn's GradientBoostingClassifier
computes them, comparing in single precision as its trees do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

_NODE_LISTS = ("feature", "threshold", "left", "right", "value")
# One tree: by node, its feature, threshold, left child, right child and leaf value.
Tree = tuple[
    tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[int, ...], tuple[float, ...]
]


def _short(thresholds: tuple[float, ...]) -> list[float]:
    """Each threshold as the largest single-precision number at most it, in the fewest
    digits that read back as that number (0.34868094 for 0.34868094325065613)."""
    out = []
    for x in thresholds:
        single = np.float32(x)
        if float(single) > x:  # rounded up: a row holding ``single`` goes right, not left
            single = np.nextafter(single, np.float32(-np.inf))
        out.append(float(np.format_float_positional(single, unique=True, trim="-")))
    return out


@dataclass(frozen=True)
class Trees:
    features: tuple[str, ...]  # the names of the columns the trees split on, in order
    init: float  # the log-odds before any tree
    learning_rate: float
    trees: tuple[Tree, ...]

    @classmethod
    def from_json(cls, data: Mapping) -> Trees:
        return cls(
            features=tuple(data["features"]),
            init=float(data["init"]),
            learning_rate=float(data["learning_rate"]),
            trees=tuple(
                (
                    tuple(int(f) for f in t["feature"]),
                    tuple(np.asarray(t["threshold"], dtype=np.float32).tolist()),
                    tuple(int(c) for c in t["left"]),
                    tuple(int(c) for c in t["right"]),
                    tuple(float(v) for v in t["value"]),
                )
                for t in data["trees"]
            ),
        )

    def to_json(self) -> dict:
        return {
            "model": "gradient-boosted trees",
            "features": list(self.features),
            "init": self.init,
            "learning_rate": self.learning_rate,
            "trees": [
                {**dict(zip(_NODE_LISTS, map(list, t), strict=True)), "threshold": _short(t[1])}
                for t in self.trees
            ],
        }

    def log_odds(self, values: Mapping[str, float]) -> float:
        """The log-odds of the label for a row given by feature name."""
        # In single precision, as the trees were fitted.
        x = np.asarray([values[f] for f in self.features], dtype=np.float32).tolist()
        total = 0.0
        for feature, threshold, left, right, value in self.trees:
            node = 0
            while left[node] != -1:
                node = left[node] if x[feature[node]] <= threshold[node] else right[node]
            total += value[node]
        return self.init + self.learning_rate * total
