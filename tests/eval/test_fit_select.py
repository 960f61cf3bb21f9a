"""Choosing the decline threshold: the most unanswerable questions declined while at most
MAX_WRONG_DECLINE of the answerable ones are, judged on folds the models never saw."""

import numpy as np

from eval.fit_select import FOLDS, MAX_WRONG_DECLINE, Served, folds, threshold


def _served(answerable: np.ndarray, news: np.ndarray) -> Served:
    n = len(answerable)
    return Served(np.zeros((n, 0)), answerable.copy(), news, answerable)


def test_the_threshold_declines_most_within_the_limit():
    rng = np.random.default_rng(1)
    right = rng.uniform(0.2, 1.0, 200)  # answerable: mostly confident
    unknown = rng.uniform(0.0, 0.6, 100)  # unanswerable: mostly not
    probs = np.concatenate([right, unknown])
    s = _served(np.arange(300) < 200, np.ones(300, bool))
    t, declined, wrong = threshold(probs, s)
    assert wrong == np.mean(right < t) <= MAX_WRONG_DECLINE
    assert declined == np.mean(unknown < t)
    # One step higher declines more of both, and too many answerable questions.
    assert np.mean(right < t + 0.01) > MAX_WRONG_DECLINE or t >= 0.94


def test_only_news_questions_choose_the_threshold():
    probs = np.array([0.9, 0.1, 0.1, 0.05])
    answerable = np.array([True, False, True, False])
    news = np.array([True, True, False, False])  # the SQuAD rows would forbid any decline
    t, declined, wrong = threshold(probs, _served(answerable, news))
    assert declined == 1.0 and wrong == 0.0 and 0.1 < t <= 0.9


def test_folds_are_balanced_and_the_same_each_run():
    f = folds(1003)
    assert (f == folds(1003)).all()
    counts = np.bincount(f, minlength=FOLDS)
    assert counts.max() - counts.min() <= 1


def test_each_question_is_weighed_by_models_fitted_without_its_fold(monkeypatch):
    """The ranker and the confidence that judge a fold never saw it; the final ones saw all."""
    from types import SimpleNamespace

    from eval import fit_select

    rows = [
        SimpleNamespace(n=n, news=True, answerable=n % 3 != 0, labels=np.zeros(1, bool))
        for n in range(40)
    ]
    fold = folds(len(rows))
    fitted_on: list[set[int]] = []

    def fit_ranker(train):
        fitted_on.append({r.n for r in train})
        return {"model": float(len(fitted_on) - 1)}

    def served(part, rank):
        ids = np.array([[r.n] for r in part], dtype=float).reshape(len(part), 1)
        answerable = np.array([r.answerable for r in part], bool)
        return Served(ids, answerable.copy(), np.ones(len(part), bool), answerable)

    judged: list[tuple[int, int]] = []  # (row, the model that judged it)

    def probabilities(s, weights):
        judged.extend((int(n), int(weights.rank["model"])) for n in s.features[:, 0])
        return np.full(len(s.features), 0.5)

    monkeypatch.setattr(fit_select, "fit_ranker", fit_ranker)
    monkeypatch.setattr(fit_select, "served", served)
    monkeypatch.setattr(fit_select, "fit_confidence", lambda s: {})
    monkeypatch.setattr(fit_select, "probabilities", probabilities)
    fit_select.fit_select(rows, fold)
    assert sorted(n for n, _ in judged) == list(range(40))  # each judged once
    for n, model in judged:
        assert n not in fitted_on[model]
        assert fitted_on[model] == {r.n for r in rows if fold[r.n] != fold[n]}
    assert fitted_on[-1] == set(range(40))  # the served models saw every question
