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
