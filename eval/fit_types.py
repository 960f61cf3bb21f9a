"""Fit the answer-type model (qa/answer_type.py): label each question by the type of the
entity that holds its accepted answer, then fit a multinomial logistic regression from its
words to that label, the penalty chosen by 5-fold accuracy."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score

from qa.answer_type import AnswerTyper, question_features, typer_from_model
from qa.corpus import Corpus

from .match import contains
from .questions import Question

MIN_FEATURE_COUNT = 3  # features seen in fewer questions are noise
TYPES_C = (0.03, 0.1, 0.3, 1.0)  # the penalty is chosen among these by 5-fold accuracy


# Words as numbers and letters apart: spaCy's entity for "£28.7m" is "£28.7", and the
# accepted answer "£28.7m" must still be found in it.
_PARTS = re.compile(r"\d+|[^\W\d_]+")


def _parts(words: Iterable[str]) -> set[str]:
    return {p for w in words for p in _PARTS.findall(w)}


def answer_type(corpus: Corpus, q: Question) -> str | None:
    """The type of the entity holding the accepted answer in the first sentence of a
    listed article that states it (the one holding the largest share, at least half, of the
    answer's words); "other" when no entity holds it; None if not found."""
    for doc_id in q.doc_ids:
        for i in corpus.doc_sentences.get(doc_id, np.zeros(0, np.int64)).tolist():
            text = corpus.text(corpus.sentences[i])
            answer = next((x for x in q.answers if contains(text, x)), None)
            if answer is None:
                continue
            words = _parts([answer.lower()])
            best, share = "other", 0.5
            for t, entity in corpus.entities(i):
                held = len(words & _parts(entity)) / max(len(words), 1)
                if held > share or (held == share and best == "other"):
                    best, share = t, held
            return best
    return None


def fit_types(asked: list[tuple[Corpus, Question]]) -> tuple[AnswerTyper, dict]:
    """The answer-type model fitted on ``asked`` (each question with its collection), and
    its JSON form with the fit's figures under "stats"."""
    labelled = [(q.question, t) for corpus, q in asked if (t := answer_type(corpus, q))]
    # Features seen in fewer than MIN_FEATURE_COUNT questions are noise, and would only
    # grow the stored table.
    counts = Counter(f for q, _ in labelled for f in set(question_features(q)))
    vectorizer = DictVectorizer()
    X = vectorizer.fit_transform(
        [
            {f: 1 for f in question_features(q) if counts[f] >= MIN_FEATURE_COUNT}
            for q, _ in labelled
        ]
    )
    y = [t for _, t in labelled]
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    held_out = {
        c: float(cross_val_score(LogisticRegression(C=c, max_iter=2000), X, y, cv=folds).mean())
        for c in TYPES_C
    }
    best = max(held_out, key=lambda c: held_out[c])
    model = LogisticRegression(C=best, max_iter=2000).fit(X, y)
    data = typer_from_model(
        model.classes_, list(vectorizer.get_feature_names_out()), model.coef_, model.intercept_
    )
    data["stats"] = {
        "questions": len(labelled),
        "C": best,
        "cross_validated_accuracy": {str(c): round(a, 3) for c, a in held_out.items()},
        "train_accuracy": round(float(model.score(X, y)), 3),
        "labels": dict(Counter(y).most_common()),
    }
    return AnswerTyper(data["weights"], data["bias"]), data
