"""Fit the sentence ranker and the confidence model on question sets.

    python -m eval.calibrate [--questions FILE...] [--index-dir DIR] [--corpus DIR...] [--write]

By default: eval/questions.jsonl and eval/tuning_questions.jsonl over the seed index, and
eval/corpora/newsdesk, newsdesk2 and newsdesk3 (each indexed apart). Held out from fitting:
eval/heldout_questions.jsonl and the other eval/corpora.

Ranking: a conditional logit (softmax over each question's candidate sentences) over
RANK_FEATURES, maximising the probability of the sentences that hold an accepted answer,
with an L2 penalty (questions whose candidates hold none are left out: that is a
retrieval miss, not a ranking one). Confidence: a
logistic regression over CONFIDENCE_FEATURES of each question's best sentence, labelled
by whether that sentence is right (never, for unanswerable questions). The threshold is
the one that declines the most unanswerable questions while wrongly declining at most
MAX_WRONG_DECLINE of the answerable ones.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from qa import QA, Weights
from qa.about import asks_about_article
from qa.declines import ruled_out
from qa.features import RANK_FEATURES, candidates
from qa.retrieve import retrieve
from qa.select import CALIBRATION_FILE, CONFIDENCE_FEATURES, confidence, decide

from .match import contains
from .questions import Question, load_questions
from .run import corpus_qa

MAX_WRONG_DECLINE = 0.08
RANK_L2 = 0.1
CONFIDENCE_C = 1.0


def _rows(qa: QA, questions: list[Question], top_k: int):
    corpus = qa.corpus
    out = []
    for q in questions:
        query = qa.embed_question(q.question)
        hits = retrieve(corpus, q.question, query, top_k=top_k)
        c = candidates(corpus, q.question, query, hits)
        texts = [corpus.text(corpus.sentences[i]) for i in c.ids.tolist()]
        labels = (
            np.array([any(contains(t, a) for a in q.answers) for t in texts])
            if q.answerable
            else np.zeros(len(texts), bool)
        )
        out.append((q, c, labels, corpus))
    return out


def _listwise(groups: list[tuple[np.ndarray, np.ndarray]], l2: float = RANK_L2) -> np.ndarray:
    """Weights maximising, per question, the softmax probability of its right sentences."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for X, right in groups:
            s = X @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            p_right = e * right / (e * right).sum()
            total -= float(np.log((e * right).sum() / e.sum()))
            grad = grad + p @ X - p_right @ X
        return total, grad

    return minimize(loss, np.ones(len(RANK_FEATURES)), jac=True, method="L-BFGS-B").x


def fit(sets: list[tuple[QA, list[Question]]], top_k: int = 5) -> tuple[Weights, dict]:
    """Weights fitted on every question of ``sets``, each asked of its own index."""
    rows = [row for qa, questions in sets for row in _rows(qa, questions, top_k)]
    groups = [(c.features, y.astype(float)) for q, c, y, _ in rows if y.any() and not y.all()]
    rank = dict(zip(RANK_FEATURES, _listwise(groups).round(4).tolist(), strict=True))
    weights = Weights(rank=rank)

    feats, right = [], []
    fitted = []
    for q, c, _, corpus in rows:
        if not len(c.ids) or asks_about_article(q.question):
            continue
        d = decide(corpus, q.question, c, weights)
        if ruled_out(corpus, q.question, d):
            continue  # the service's rules decide these, not the confidence
        fitted.append(q)
        feats.append([d.features[k] for k in CONFIDENCE_FEATURES])
        text = " ".join(corpus.text(corpus.sentences[i]) for i in d.chosen)
        right.append(q.answerable and any(contains(text, a) for a in q.answers))
    F, r = np.array(feats), np.array(right)
    # Fit on standardised features (so the penalty treats them alike), then fold the
    # scaling back into raw-feature weights.
    mu, sigma = F.mean(axis=0), F.std(axis=0) + 1e-9
    model = LogisticRegression(C=CONFIDENCE_C, max_iter=1000).fit((F - mu) / sigma, r)
    coef = model.coef_[0] / sigma
    conf = dict(zip(CONFIDENCE_FEATURES, coef.round(4).tolist(), strict=True))
    conf["bias"] = round(float(model.intercept_[0] - (model.coef_[0] * mu / sigma).sum()), 4)
    weights = Weights(rank=rank, confidence=conf)

    probs = np.array(
        [confidence(dict(zip(CONFIDENCE_FEATURES, f, strict=True)), weights) for f in F]
    )
    answerable = np.array([q.answerable for q in fitted])
    best_t, best_declined = 0.5, -1.0
    for t in np.arange(0.05, 0.95, 0.01):
        wrong = float(np.mean(probs[answerable] < t)) if answerable.any() else 0.0
        declined = float(np.mean(probs[~answerable] < t)) if (~answerable).any() else 0.0
        if wrong <= MAX_WRONG_DECLINE and declined > best_declined:
            best_t, best_declined = float(t), declined
    weights = Weights(rank=rank, confidence=conf, threshold=round(best_t, 2))
    stats = {
        "questions": len(rows),
        "confidence_questions": len(fitted),
        "ranking_questions": len(groups),
        "top1_right": int(sum(r)),
        "threshold": weights.threshold,
        "unanswerable_declined": round(best_declined, 3),
        "answerable_wrongly_declined": round(float(np.mean(probs[answerable] < best_t)), 3),
    }
    return weights, stats


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    here = Path(__file__).parent
    p.add_argument(
        "--questions",
        type=Path,
        nargs="*",
        default=[here / "questions.jsonl", here / "tuning_questions.jsonl"],
        help="question files over the index (--index-dir)",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="*",
        default=[here / f"corpora/{name}" for name in ("newsdesk", "newsdesk2", "newsdesk3")],
        help="folders of articles with their questions.jsonl, each indexed apart",
    )
    p.add_argument("--index-dir", type=Path, default=None)
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument("--write", action="store_true", help=f"write {CALIBRATION_FILE.name}")
    args = p.parse_args()
    from index import SentenceTransformerEmbedder
    from qa.settings import Settings

    with tempfile.TemporaryDirectory() as work:
        sets = []
        if args.questions:
            qa = QA(args.index_dir or Settings().index_dir)
            sets.append((qa, [q for path in args.questions for q in load_questions(path)]))
        embedder = SentenceTransformerEmbedder() if args.corpus else None
        for n, folder in enumerate(args.corpus):
            qa = corpus_qa(folder, Path(work) / str(n), embedder)
            sets.append((qa, load_questions(folder / "questions.jsonl")))
        weights, stats = fit(sets, args.top_k)

    def shown(path: Path) -> str:
        path = path.resolve()
        return str(path.relative_to(here.parent)) if path.is_relative_to(here.parent) else str(path)

    fitted_on = [shown(p) for p in args.questions] + [
        shown(f / "questions.jsonl") for f in args.corpus
    ]
    data = {
        "rank": weights.rank,
        "confidence": weights.confidence,
        "threshold": weights.threshold,
        "neighbour": weights.neighbour,
        "fitted_on": fitted_on,
        "stats": stats,
    }
    print(json.dumps(data, indent=2))
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(data, indent=2) + "\n")


if __name__ == "__main__":
    main()
