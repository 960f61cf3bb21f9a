"""Fit the sentence ranker, the confidence and the answerability models (qa/select.py) on
questions already read and described, and choose the decline threshold on answers from
models that never saw their stories.

- Ranking: a conditional logit (softmax over each question's candidate sentences) over
  RANK_FEATURES, maximising the probability of the sentences that hold an accepted answer.
- Confidence: a logistic regression over CONFIDENCE_FEATURES of the answer served, labelled
  by whether it is right (never, for unanswerable questions).
- Answerability: the same regression, and gradient-boosted trees over the same features,
  labelled by whether the question is answerable at all; the service averages their
  log-odds. The decline is its decision: an answerable question whose wrong sentence won
  counts against declining it as much as a right one does, and teaching the decline that
  such answers are to be declined (as the confidence learns) blurs what marks a question
  the articles cannot answer. The trees read how the evidence interacts (the share of
  the question's story found means one thing when the sentence names something of the
  type asked for, and another when it does not); alone they lost on the small held-out
  collections, and the average beat both out of fold (bench/RESULTS.md).
- Rereading: the weight of the reader's logit in choosing among the ranker's best
  (fit_rereading.py); the models below are fitted on the answers it chooses.
- Threshold: the one that declines the most unanswerable news questions while wrongly
  declining at most MAX_WRONG_DECLINE of the answerable ones, judged out of fold: each
  question's answerability comes from models fitted on the other folds. In sample, the
  models are surer than on questions they never saw, and a threshold chosen there
  declines too little. The folds are drawn by story: questions citing a common article
  share a fold (folds.py), so an answerable question is not judged by models that saw
  another answer from its article. The answer types and the reader's readings the
  features hold come from models fitted without the question's fold or half
  (calibrate.py), so they are as good as a new question's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from qa.corpus import Corpus
from qa.declines import ruled_out
from qa.features import RANK_FEATURES, Candidates
from qa.question import Question as Read
from qa.rereading import Reading
from qa.select import CONFIDENCE_FEATURES, Weights, answerability, decide
from qa.trees import Trees

from .fit_rereading import fit_reread
from .folds import FOLDS
from .match import contains
from .questions import Question

# The bar is 10% of answerable questions wrongly declined; this leaves about one
# standard error of a set of 130 questions below it.
MAX_WRONG_DECLINE = 0.07
RANK_L2 = 1e-4  # on the mean loss per question
CONFIDENCE_C = 1.0
# The answerability's trees: few and shallow, chosen out of fold on the BBC fit sets.
ANSWERABLE_TREES = {"n_estimators": 100, "max_depth": 3, "learning_rate": 0.05}


@dataclass(frozen=True)
class Described:
    """One question read against its collection, with its candidate sentences and which of
    them hold an accepted answer."""

    question: Question
    corpus: Corpus
    read: Read
    candidates: Candidates
    labels: np.ndarray  # per candidate: holds an accepted answer
    news: bool  # from a news set (the threshold is chosen on these)
    # The reader's logits for sentences (by index in the corpus), from a reader fitted
    # without this question's story (fit_reader.py); None: no reader.
    reader: Reading | None = None


def _listwise(
    groups: list[tuple[np.ndarray, np.ndarray, float]], l2: float = RANK_L2
) -> np.ndarray:
    """Weights maximising, per question, the (weighted) softmax probability of its right
    sentences."""
    mass = sum(g for _, _, g in groups)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for X, right, g in groups:
            s = X @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            p_right = e * right / (e * right).sum()
            total -= g * float(np.log((e * right).sum() / e.sum())) / mass
            grad = grad + g * (p @ X - p_right @ X) / mass
        return total, grad

    return minimize(loss, np.ones(len(RANK_FEATURES)), jac=True, method="L-BFGS-B").x


def fit_ranker(rows: list[Described]) -> dict[str, float]:
    ranked = [r for r in rows if r.labels.any() and not r.labels.all()]
    # The news questions weigh as much in all as SQuAD's many: they are what is served,
    # and a news question restates its story where SQuAD's echo one sentence.
    n_news = sum(r.news for r in ranked)
    boost = max(len(ranked) - n_news, 1) / max(n_news, 1)
    groups = [
        (r.candidates.features, r.labels.astype(float), boost if r.news else 1.0) for r in ranked
    ]
    return dict(zip(RANK_FEATURES, _listwise(groups).round(4).tolist(), strict=True))


@dataclass(frozen=True)
class Served:
    """The answers the service would give, one row each: those a rule declines (``ruled``)
    count toward the threshold's shares, and only the others are weighed by the models.
    (Questions with no candidate sentence, or answered from an article's header, are left
    out.)"""

    features: np.ndarray  # by CONFIDENCE_FEATURES
    right: np.ndarray
    news: np.ndarray
    answerable: np.ndarray
    ruled: np.ndarray  # declined by a rule, whatever the models say


def served(rows: list[Described], rank: dict[str, float], reread: float = 0.0) -> Served:
    """What the service would answer to each of ``rows`` under the ranker ``rank``, the
    reader's logit weighed by ``reread`` in choosing."""
    weights = Weights(rank=rank, reread=reread)
    feats, right, news, answerable, ruled = [], [], [], [], []
    for r in rows:
        if not len(r.candidates.ids) or r.read.about:
            continue
        d = decide(r.corpus, r.read, r.candidates, weights, r.reader)
        feats.append([d.features[k] for k in CONFIDENCE_FEATURES])
        text = " ".join(r.corpus.text(r.corpus.sentences[i]) for i in d.chosen)
        right.append(r.question.answerable and any(contains(text, x) for x in r.question.answers))
        news.append(r.news)
        answerable.append(r.question.answerable)
        ruled.append(bool(ruled_out(r.read, d)))
    return Served(
        np.array(feats).reshape(len(feats), len(CONFIDENCE_FEATURES)),
        np.array(right, bool),
        np.array(news, bool),
        np.array(answerable, bool),
        np.array(ruled, bool),
    )


def fit_confidence(s: Served) -> dict[str, float]:
    """P(the answer served is right)."""
    return _logistic(s, s.right)


def fit_answerable(s: Served) -> tuple[dict[str, float], Trees]:
    """P(the question is answerable at all), from the same evidence: a logistic model and
    trees, whose log-odds the service averages."""
    weighed = ~s.ruled
    model = GradientBoostingClassifier(random_state=0, **ANSWERABLE_TREES)
    model.fit(
        s.features[weighed], s.answerable[weighed], sample_weight=_news_weight(s.news[weighed])
    )
    return _logistic(s, s.answerable), trees_from_model(model, CONFIDENCE_FEATURES)


def trees_from_model(model: GradientBoostingClassifier, features: tuple[str, ...]) -> Trees:
    """The stored form of a fitted binary GradientBoostingClassifier."""
    trees = tuple(
        (
            tuple(t.feature.tolist()),
            tuple(t.threshold.tolist()),
            tuple(t.children_left.tolist()),
            tuple(t.children_right.tolist()),
            tuple(t.value[:, 0, 0].tolist()),
        )
        for t in (e.tree_ for e in model.estimators_[:, 0])
    )
    lr = float(model.learning_rate)
    # The initial log-odds: what the model says of a row less what its trees add to it.
    row = np.zeros((1, len(features)))
    added = sum(float(e.predict(row)[0]) for e in model.estimators_[:, 0])
    init = float(model.decision_function(row)[0]) - lr * added
    return Trees(features, init, lr, trees)


def _news_weight(news: np.ndarray) -> np.ndarray:
    """The news questions weigh as much in all as SQuAD's many: they are what is served."""
    return np.where(news, max((~news).sum(), 1) / max(news.sum(), 1), 1.0)


def _logistic(s: Served, label: np.ndarray) -> dict[str, float]:
    """Logistic weights by CONFIDENCE_FEATURES, fitted on the answers no rule declines."""
    weighed = ~s.ruled
    F, news, label = s.features[weighed], s.news[weighed], label[weighed]
    sample = _news_weight(news)
    mu, sigma = F.mean(axis=0), F.std(axis=0) + 1e-9
    model = LogisticRegression(C=CONFIDENCE_C, max_iter=2000)
    model.fit((F - mu) / sigma, label, sample_weight=sample)
    coef = model.coef_[0] / sigma
    conf = dict(zip(CONFIDENCE_FEATURES, coef.round(4).tolist(), strict=True))
    conf["bias"] = round(float(model.intercept_[0] - (model.coef_[0] * mu / sigma).sum()), 4)
    return conf


def probabilities(s: Served, weights: Weights) -> np.ndarray:
    """The answerability of each answer in ``s``; 0 where a rule declines it."""
    return np.array(
        [
            0.0 if ruled else answerability(dict(zip(CONFIDENCE_FEATURES, f, strict=True)), weights)
            for f, ruled in zip(s.features, s.ruled, strict=True)
        ]
    )


def threshold(probs: np.ndarray, s: Served) -> tuple[float, float, float]:
    """The threshold declining the most unanswerable news questions while wrongly declining
    at most MAX_WRONG_DECLINE of the answerable ones, with those two shares. The shares
    count the questions the rules decline (their ``probs`` are 0), as the service's do."""
    ans, unans = s.answerable & s.news, ~s.answerable & s.news
    best = (0.5, -1.0, 0.0)
    for t in np.arange(0.05, 0.95, 0.01):
        wrong = float(np.mean(probs[ans] < t)) if ans.any() else 0.0
        declined = float(np.mean(probs[unans] < t)) if unans.any() else 0.0
        if wrong <= MAX_WRONG_DECLINE and declined > best[1]:
            best = (round(float(t), 2), declined, wrong)
    if best[1] < 0:
        raise ValueError(
            f"no threshold keeps the answerable questions wrongly declined within "
            f"{MAX_WRONG_DECLINE:.0%}: the rules alone decline {np.mean(probs[ans] == 0):.1%}"
        )
    return best


def _share(mask: np.ndarray) -> float:
    return round(float(np.mean(mask)), 3) if len(mask) else 0.0


def fit_select(
    rows: list[Described], fold: np.ndarray, rank: dict[str, float]
) -> tuple[Weights, dict]:
    """The confidence and the answerability fitted on every row under ``rank`` (the ranker
    fitted on every row), and the threshold chosen on each row's answerability under the
    ranker and models fitted without its ``fold``."""
    parts: list[tuple[np.ndarray, Served]] = []
    ranks = [
        fit_ranker([r for r, f in zip(rows, fold, strict=True) if f != k]) for k in range(FOLDS)
    ]
    reread = fit_reread(rows, fold, ranks)
    w_read = reread.weight
    for k in range(FOLDS):
        train = [r for r, f in zip(rows, fold, strict=True) if f != k]
        test = [r for r, f in zip(rows, fold, strict=True) if f == k]
        linear, trees = fit_answerable(served(train, ranks[k], w_read))
        weights = Weights(rank=ranks[k], answerable=linear, answerable_trees=trees, reread=w_read)
        answered = served(test, ranks[k], w_read)
        parts.append((probabilities(answered, weights), answered))
    probs = np.concatenate([p for p, _ in parts])
    unseen = Served(
        *(np.concatenate([getattr(s, f) for _, s in parts]) for f in Served.__dataclass_fields__)
    )
    t, declined, wrong = threshold(probs, unseen)
    # The same threshold on SQuAD's questions, whose unanswerable ones were written to
    # have a plausible answer nearby: what to expect of an encyclopedia's questions.
    squad_ans, squad_unans = unseen.answerable & ~unseen.news, ~unseen.answerable & ~unseen.news
    answered = served(rows, rank, w_read)
    linear, trees = fit_answerable(answered)
    weights = Weights(
        rank=rank,
        confidence=fit_confidence(answered),
        answerable=linear,
        answerable_trees=trees,
        threshold=t,
        reread=w_read,
    )
    stats = {
        "questions": len(rows),
        "news_questions": int(sum(r.news for r in rows)),
        "ranking_questions": sum(bool(r.labels.any() and not r.labels.all()) for r in rows),
        "confidence_questions": int((~answered.ruled).sum()),
        "threshold": t,
        "out_of_fold": {
            # Of the news questions whose candidates hold the answer, the share whose
            # chosen sentence does: by the ranker alone, as served, and by each weight.
            "news_top1_ranker_alone": round(reread.right[0.0], 3),
            "news_top1_served": round(reread.right[w_read], 3),
            "news_top1_by_reread_weight": {str(w): round(v, 3) for w, v in reread.right.items()},
            "news_unanswerable_declined": round(declined, 3),
            "news_answerable_wrongly_declined": round(wrong, 3),
            "squad_unanswerable_declined": _share(probs[squad_unans] < t),
            "squad_answerable_wrongly_declined": _share(probs[squad_ans] < t),
            "squad_answered_right": _share((probs >= t)[squad_ans] & unseen.right[squad_ans]),
        },
    }
    news = answered.news & ~answered.ruled
    if any(r.reader for r in rows) and len(set(answered.answerable[news])) == 2:
        # How well the reader alone, read out of fold, tells answerable news questions.
        read = answered.features[news, CONFIDENCE_FEATURES.index("read")]
        stats["reader_news_auc"] = round(float(roc_auc_score(answered.answerable[news], read)), 3)
    return weights, stats
