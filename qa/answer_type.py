"""What kind of thing a question's answer is (a person, a date, an amount of money...),
predicted by a model fitted on real questions, in the named-entity labels spaCy gives the
articles' sentences at ingest.

The model is a multinomial logistic regression over the question's words and word pairs
(and its first words, which carry most of the signal: "how many", "who", "in what
year"), and over the meaning of the words naming what it asks for ("salary" of "What
salary will he be paid?"): their mean word vector, so that a noun no fitted question used
is typed in part by the nouns near it in meaning. It is fitted by `python -m
eval.calibrate` on SQuAD 2.0 questions and the team's own, each labelled by the entity
that holds its accepted answer, and stored as a small table of weights in
answer_types.json.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.embed import MODEL_DIM, word_vectors

TYPES_FILE = Path(__file__).with_name("answer_types.json")

# spaCy's OntoNotes labels, grouped where readers' questions do not tell them apart.
GROUPS = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "NORP": "group",
    "DATE": "date",
    "TIME": "time",
    "MONEY": "money",
    "PERCENT": "percent",
    "QUANTITY": "quantity",
    "CARDINAL": "count",
    "ORDINAL": "ordinal",
    "EVENT": "thing",
    "WORK_OF_ART": "thing",
    "LAW": "thing",
    "PRODUCT": "thing",
    "LANGUAGE": "thing",
}
# "other": the answer is no named entity (a reason, an event, a description).
TYPES = (*sorted(set(GROUPS.values())), "other")


def group(label: str) -> str:
    return GROUPS.get(label, "thing")


def question_features(question: str) -> list[str]:
    """The question's words, word pairs and opening words, lower-cased."""
    words = re.findall(r"[a-z0-9]+", question.lower().replace("’", "'"))
    out = [f"w:{w}" for w in words]
    out += [f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    out += [f"f{i}:{w}" for i, w in enumerate(words[:3])]
    if len(words) >= 2:
        out.append(f"f01:{words[0]}_{words[1]}")
    return out


# The asked-for words' mean vector (unit length) is scaled to weigh beside the 0/1 word
# features. Of 2, 3, 4 and 8, 2 and 3 gave the best 5-fold type accuracy on the fit sets
# (0.677 and 0.682 at C 0.3, against 0.653 without the vector), 2 the best on bbc_fit3.
ASKED_SCALE = 2.0


def asked_vector(asked: Iterable[str]) -> np.ndarray:
    """The unit mean of the word vectors of ``asked`` (the words naming what a question
    asks for), times ASKED_SCALE; zeros when the vocabulary has none of them whole."""
    vectors = word_vectors()
    ids = [i for w in asked if (i := vectors.id_of(w)) >= 0]
    if not ids:
        return np.zeros(MODEL_DIM, dtype=np.float32)
    v = vectors.matrix[ids].astype(np.float32).mean(axis=0)
    return (ASKED_SCALE * v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)


class AnswerTyper:
    """P(answer type | question) under fitted weights (uniform when none are fitted)."""

    def __init__(
        self,
        weights: dict[str, dict[str, float]],
        bias: dict[str, float],
        asked: dict[str, list[float]] | None = None,
    ) -> None:
        self.weights = weights  # feature -> {type: weight}
        self.bias = bias
        # type -> weights of the asked-for words' vector (asked_vector)
        self._types = list(asked or {})
        self._asked = np.array([asked[t] for t in self._types], dtype=np.float32) if asked else None

    @classmethod
    def load(cls, path: Path = TYPES_FILE) -> AnswerTyper:
        if not path.exists():
            return cls({}, {t: 0.0 for t in TYPES})
        data = json.loads(path.read_text())
        return cls(data["weights"], data["bias"], data.get("asked"))

    def probabilities(self, question: str, asked: Iterable[str] = ()) -> dict[str, float]:
        """P(answer type) for ``question``, whose words ``asked`` name what it asks for
        (question.asked_for)."""
        z = dict(self.bias)
        for f in set(question_features(question)):
            for t, w in self.weights.get(f, {}).items():
                z[t] = z.get(t, 0.0) + w
        if self._asked is not None and (words := tuple(asked)):
            for t, w in zip(self._types, (self._asked @ asked_vector(words)).tolist(), strict=True):
                z[t] += w
        top = max(z.values())
        e = {t: math.exp(v - top) for t, v in z.items()}
        total = sum(e.values())
        return {t: v / total for t, v in e.items()}


@lru_cache(maxsize=1)
def default_typer() -> AnswerTyper:
    return AnswerTyper.load()


def typer_from_model(classes: Iterable[str], names: list[str], coef, intercept) -> dict:
    """The JSON form of a fitted scikit-learn model whose columns are the word features
    ``names`` then the asked-for vector's MODEL_DIM: per word feature, its non-negligible
    weights by type, and per type, its weights of the vector."""
    classes = list(classes)
    weights: dict[str, dict[str, float]] = {}
    for j, name in enumerate(names):
        row = {c: round(float(coef[k][j]), 2) for k, c in enumerate(classes)}
        row = {c: w for c, w in row.items() if abs(w) >= 0.02}
        if row:
            weights[name] = row
    bias = {c: round(float(intercept[k]), 3) for k, c in enumerate(classes)}
    asked = {
        c: [round(float(x), 3) for x in coef[k][len(names) : len(names) + MODEL_DIM]]
        for k, c in enumerate(classes)
    }
    return {"types": classes, "bias": bias, "weights": weights, "asked": asked}
