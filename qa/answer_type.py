"""What kind of thing a question's answer is (a person, a date, an amount of money...),
predicted by a model fitted on real questions, in the named-entity labels spaCy gives the
articles' sentences at ingest.

The model is a multinomial logistic regression over the question's words and word pairs
(and its first words, which carry most of the signal: "how many", "who", "in what
year"). It is fitted by `python -m eval.calibrate` on SQuAD 2.0 questions and the team's
own, each labelled by the entity that holds its accepted answer, and stored as a small
table of weights in answer_types.json.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

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


class AnswerTyper:
    """P(answer type | question) under fitted weights (uniform when none are fitted)."""

    def __init__(self, weights: dict[str, dict[str, float]], bias: dict[str, float]) -> None:
        self.weights = weights  # feature -> {type: weight}
        self.bias = bias

    @classmethod
    def load(cls, path: Path = TYPES_FILE) -> AnswerTyper:
        if not path.exists():
            return cls({}, {t: 0.0 for t in TYPES})
        data = json.loads(path.read_text())
        return cls(data["weights"], data["bias"])

    def probabilities(self, question: str) -> dict[str, float]:
        z = dict(self.bias)
        for f in set(question_features(question)):
            for t, w in self.weights.get(f, {}).items():
                z[t] = z.get(t, 0.0) + w
        top = max(z.values())
        e = {t: math.exp(v - top) for t, v in z.items()}
        total = sum(e.values())
        return {t: v / total for t, v in e.items()}


@lru_cache(maxsize=1)
def default_typer() -> AnswerTyper:
    return AnswerTyper.load()


def typer_from_model(classes: Iterable[str], names: list[str], coef, intercept) -> dict:
    """The JSON form of a fitted scikit-learn model: per feature, its non-negligible
    weights by type."""
    classes = list(classes)
    weights: dict[str, dict[str, float]] = {}
    for j, name in enumerate(names):
        row = {c: round(float(coef[k][j]), 2) for k, c in enumerate(classes)}
        row = {c: w for c, w in row.items() if abs(w) >= 0.02}
        if row:
            weights[name] = row
    bias = {c: round(float(intercept[k]), 3) for k, c in enumerate(classes)}
    return {"types": classes, "bias": bias, "weights": weights}
