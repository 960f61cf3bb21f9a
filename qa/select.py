"""Rank the candidate sentences, take the best with the sentences it leans on and those of
its article nearly as likely, and weigh the evidence for answering at all.

A linear scorer ranks the candidates, and the reader chooses among its best
(rereading.py). Models read the winner's evidence: a logistic
confidence (that the answer served is right), and the answerability (that the articles
answer the question at all), below whose threshold the service declines. They differ
where the articles answer but the wrong sentence won: that is a wrong answer, not a
question to decline. The answerability averages, in log-odds, a logistic model and
gradient-boosted trees over the same evidence: the trees read what does not add up (a
sentence on the question's story naming nothing of the type asked for means one thing
when the story is found and another when it is not), and the logistic model carries
better to collections unlike the fit's. All the weights are fitted on the eval questions
(`python -m eval.calibrate`) and stored in calibration.json.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import Corpus
from .features import RANK_FEATURES, Candidates, new_types, typed
from .kinds import holds_kind
from .question import Question
from .rereading import Reading, choose, sentence_text
from .trees import Trees

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MAX_ANSWER_CHARS = 600
MAX_SENTENCES = 3

# The chosen sentence's features the two models read as they are, named as in RANK_FEATURES.
FROM_RANKING = (
    "soft",
    "focus",
    "around",
    "title",
    "story",
    "typed_lexical",
    "typed_story",
    "passage",
    "measured",
)
CONFIDENCE_FEATURES = (
    "score",  # the ranker's score of the chosen sentence (rereading.choose)
    "margin",  # ... less the best of the others' (below 0 where the reader overruled it)
    "dense",  # the chosen sentence's features, as in RANK_FEATURES
    "lexical",
    "gap",
    "context",  # share of the question's terms found anywhere among the candidates
    "unseen",  # share (by IDF) of the question's terms no article uses
    "typed",  # how well the answer's entities fit the type asked for (features.typed)
    "untyped",
    "other",  # P(the answer is no entity): such questions are judged on words alone
    "kind",  # the answer holds the kind of thing the wording asks for (rule)
    "kind_missing",  # ... and it does not
    "read",  # the reader's logit that the chosen sentence answers the question (reader.py)
    *FROM_RANKING,
)


@dataclass(frozen=True)
class Weights:
    """Linear weights for ranking sentences, logistic ones for the confidence and the
    answerability of the winner (by CONFIDENCE_FEATURES, with a bias), and the trees
    averaged with the second."""

    rank: dict[str, float] = field(
        default_factory=lambda: {
            "dense": 1.0,
            "lexical": 0.6,
            "around": 0.2,
            "gap": -0.3,
            "title": 0.0,
            "story": 0.0,
            "typed": 0.5,
            "untyped": 0.0,
            "typed_story": 0.0,
            "typed_lexical": 0.0,
            "kind": 0.25,
            "measured": 0.25,
            "passage": 0.1,
            "lead": 0.0,
        }
    )
    confidence: dict[str, float] = field(
        default_factory=lambda: {
            "score": 0.0,
            "margin": 0.0,
            "dense": 6.0,
            "lexical": 3.0,
            "gap": -2.0,
            "context": 4.0,
            "unseen": -4.0,
            "typed": 1.0,
            "untyped": 0.0,
            "other": 0.0,
            "kind": 1.0,
            "kind_missing": 0.0,
            "bias": -8.0,
        }
    )
    answerable: dict[str, float] = field(default_factory=dict)  # empty: as the confidence
    answerable_trees: Trees | None = None  # averaged with it in log-odds, when fitted
    threshold: float = 0.5  # the answerability below which the service declines
    # A sentence of the best one's article joins the answer when its score is within this
    # margin of the best one's (scores are logits of the fitted ranker, so 0.25 is ~78% as
    # likely).
    neighbour: float = 0.25
    # The weight of the reader's logit beside the ranker's score in choosing among the
    # ranker's best (rereading.choose); 0: the ranker's best wins.
    reread: float = 0.0

    @property
    def reads(self) -> bool:
        """The models weigh the reader's logit (reader.py), so answers need the reader."""
        trees = self.answerable_trees.features if self.answerable_trees else ()
        return bool(
            self.reread
            or self.confidence.get("read")
            or self.answerable.get("read")
            or "read" in trees
        )

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Weights:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())

        def logistic(weights: dict[str, float]) -> dict[str, float]:
            return {k: float(weights.get(k, 0.0)) for k in (*CONFIDENCE_FEATURES, "bias")}

        stored = data.get("answerable_trees")
        trees = Trees.from_json(stored) if stored else None
        if trees and (unknown := set(trees.features) - set(CONFIDENCE_FEATURES)):
            raise ValueError(
                f"{path} weighs answerability on features the service does not compute "
                f"({', '.join(sorted(unknown))}): refit it with `python -m eval.calibrate --write`"
            )
        return cls(
            rank={k: float(data["rank"].get(k, 0.0)) for k in RANK_FEATURES},
            confidence=logistic(data["confidence"]),
            answerable=logistic(data["answerable"]) if "answerable" in data else {},
            answerable_trees=trees,
            threshold=float(data["threshold"]),
            neighbour=float(data.get("neighbour", cls.neighbour)),
            reread=float(data.get("reread", cls.reread)),
        )


def confidence_features(
    c: Candidates,
    scores: np.ndarray,
    best: int,
    answer_types: tuple[float, float],
    answer_kind: float,
    read: float,
) -> dict[str, float]:
    """The evidence for an answer built on the chosen candidate (at position ``best``), by
    CONFIDENCE_FEATURES; ``answer_types`` and ``answer_kind`` judge the whole answer (with
    the sentences it took along) against what was asked, ``read`` is the reader's logit
    for the chosen one."""
    f = c.row(best)
    others = np.delete(scores, best)
    return {
        "score": float(scores[best]),
        "margin": float(scores[best] - others.max()) if len(others) else 1.0,
        "dense": f["dense"],
        "lexical": f["lexical"],
        "gap": f["gap"],
        "context": c.evidence["context"],
        "unseen": c.evidence["unseen"],
        "typed": answer_types[0],
        "untyped": answer_types[1],
        "other": c.evidence["other"],
        "kind": answer_kind,
        "kind_missing": 1.0 if answer_kind == 0.0 else 0.0,
        "read": read,
        **{k: f[k] for k in FROM_RANKING},
    }


def _log_odds(weights: dict[str, float], features: dict[str, float]) -> float:
    return weights.get("bias", 0.0) + sum(weights.get(k, 0.0) * v for k, v in features.items())


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


def _logistic(weights: dict[str, float], features: dict[str, float]) -> float:
    return _sigmoid(_log_odds(weights, features))


def confidence(features: dict[str, float], w: Weights) -> float:
    """P(the answer built on the chosen candidate is right)."""
    return _logistic(w.confidence, features)


def answerability(features: dict[str, float], w: Weights) -> float:
    """P(the articles answer the question at all), read off the same evidence."""
    if w.answerable_trees is None:
        return _logistic(w.answerable or w.confidence, features)
    z = _log_odds(w.answerable or w.confidence, features)
    return _sigmoid((z + w.answerable_trees.log_odds(features)) / 2)


# A sentence that leans on the one before: it opens with a pronoun or a linking word, or
# has a personal pronoun among its first few words ("At the ceremony she was…").
_LEANS = re.compile(
    r"^[\"“‘']?(He|She|They|It|That|This|These|Those|His|Her|Their|Its|But|However|Also|Still|Yet)\b"
    r"|^(\S+\s+){1,4}(he|she|they|his|her|their)\b"
)


def _answer_sentences(
    corpus: Corpus, best: int, score: dict[int, float], neighbour: float
) -> list[int]:
    """The best sentence, with the ones before it that it leans on ("He said…", "At the
    ceremony she…"), and the sentences of its article that score almost as well, next to
    it or not, within the length limit: when the ranker cannot tell two sentences of one
    article apart, the answer quotes both."""
    chosen = [best]
    doc_id = corpus.sentences[best].doc_id

    def same_doc(i: int) -> bool:
        return corpus.in_article(i, doc_id)

    # Walk back while the first sentence leans on the one before it.
    while same_doc(chosen[0] - 1) and len(chosen) < MAX_SENTENCES:
        if not _LEANS.match(corpus.text(corpus.sentences[chosen[0]])):
            break
        chosen.insert(0, chosen[0] - 1)
    close = [i for i, v in score.items() if v >= score[best] - neighbour and same_doc(i)]
    chosen = sorted({*chosen, *close})

    def length(ids: list[int]) -> int:
        return sum(corpus.sentences[i].end - corpus.sentences[i].start for i in ids)

    while len(chosen) > 1 and (length(chosen) > MAX_ANSWER_CHARS or len(chosen) > MAX_SENTENCES):
        chosen.remove(min((i for i in chosen if i != best), key=lambda i: score.get(i, -1e9)))
    return chosen


@dataclass(frozen=True)
class Decision:
    """The sentences an answer would quote, and the evidence for answering at all."""

    top: int  # index into corpus.sentences of the chosen candidate (rereading.choose)
    chosen: list[int]  # the sentences quoted, in text order
    score: dict[int, float]  # ranker score by sentence index
    features: dict[str, float]  # by CONFIDENCE_FEATURES


def decide(
    corpus: Corpus,
    q: Question,
    c: Candidates,
    w: Weights,
    reader: Reading | None = None,
) -> Decision:
    """Pick the answer's sentences and describe the evidence for them (shared by the
    service and by eval/calibrate.py, so the confidence is fitted on what is served).
    ``reader`` gives the reader's logits for sentences (by index in the corpus), each read
    once; without one the reading counts 0, as in a calibration fitted with none."""
    scores = c.scores(w.rank)
    best, read = choose(scores, c.ids, w.reread, reader, sentence_text(corpus))
    score = dict(zip(c.ids.tolist(), scores.tolist(), strict=True))
    top = int(c.ids[best])
    chosen = _answer_sentences(corpus, top, score, w.neighbour)
    text = " ".join(corpus.text(corpus.sentences[i]) for i in chosen)
    types = set().union(*(new_types(corpus, q, i) for i in chosen))
    if reader and top not in read:
        read[top] = reader([top])[0]
    features = confidence_features(
        c,
        scores,
        best,
        typed(q, types),
        holds_kind(text, q.kind, q.text),
        read.get(top, 0.0),
    )
    return Decision(top, chosen, score, features)
