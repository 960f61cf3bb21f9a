"""Choosing the decline threshold: the most unanswerable questions declined while at most
MAX_WRONG_DECLINE of the answerable ones are, judged on folds the models never saw."""

import numpy as np
import pytest

from eval.fit_select import MAX_WRONG_DECLINE, Served, probabilities, threshold
from eval.folds import FOLDS, folds
from qa.select import CONFIDENCE_FEATURES, Weights


def _served(answerable: np.ndarray, news: np.ndarray, ruled=None) -> Served:
    n = len(answerable)
    ruled = np.zeros(n, bool) if ruled is None else ruled
    return Served(np.zeros((n, 0)), answerable.copy(), news, answerable, ruled)


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


def test_answerable_questions_a_rule_declines_count_within_the_limit():
    """The service's share of answerable questions wrongly declined counts the rules'
    declines too: with 5% of them ruled out, the models may decline only 2% more."""
    rng = np.random.default_rng(2)
    answerable = np.arange(400) < 300
    p = np.where(answerable, rng.uniform(0.2, 1.0, 400), rng.uniform(0.0, 0.6, 400))
    features = np.zeros((400, len(CONFIDENCE_FEATURES)))
    features[:, CONFIDENCE_FEATURES.index("score")] = np.log(p / (1 - p))
    weights = Weights(confidence={"score": 1.0, "bias": 0.0})  # no trees: as the confidence
    ruled = np.zeros(400, bool)
    ruled[:15] = True  # 15 of the 300 answerable ones, however sure the models are
    s = Served(features, answerable.copy(), np.ones(400, bool), answerable, ruled)
    probs = probabilities(s, weights)
    assert (probs[ruled] == 0).all() and np.allclose(probs[~ruled], p[~ruled])
    t, declined, wrong = threshold(probs, s)
    assert wrong == np.mean(probs[answerable] < t) <= MAX_WRONG_DECLINE
    assert (p[answerable & ~ruled] < t).sum() + 15 <= MAX_WRONG_DECLINE * 300
    unruled = threshold(p, s)[0]  # the rules' declines left out: a higher threshold
    assert t < unruled


def test_rules_declining_too_many_leave_no_threshold():
    answerable = np.arange(100) < 80
    probs = np.where(np.arange(100) < 10, 0.0, 0.9)  # 10 of 80 answerable ruled out
    with pytest.raises(ValueError, match="the rules alone decline 12.5%"):
        threshold(probs, _served(answerable, np.ones(100, bool), probs == 0))


def test_only_news_questions_choose_the_threshold():
    probs = np.array([0.9, 0.1, 0.1, 0.05])
    answerable = np.array([True, False, True, False])
    news = np.array([True, True, False, False])  # the SQuAD rows would forbid any decline
    t, declined, wrong = threshold(probs, _served(answerable, news))
    assert declined == 1.0 and wrong == 0.0 and 0.1 < t <= 0.9


def test_folds_are_balanced_and_the_same_each_run():
    stories = [[f"bbc/{n}"] for n in range(1003)]
    f = folds(stories)
    assert (f == folds(stories)).all()
    counts = np.bincount(f, minlength=FOLDS)
    assert counts.max() - counts.min() <= 1
    # Dealt in a drawn order, not in turn by the stories' names.
    by_name = np.empty(len(stories), dtype=np.int64)
    by_name[sorted(range(len(stories)), key=lambda n: stories[n][0])] = np.arange(1003) % FOLDS
    assert (f != by_name).mean() > 0.5


def test_questions_on_one_story_share_a_fold():
    """A question that cites a and b, and one that cites b and c, link a to c: all three
    stories' questions are judged together, never by a model that saw one of them."""
    stories = [["x/a", "x/b"], ["x/b", "x/c"], ["x/c"], [], []] + [[f"z/{n}"] for n in range(40)]
    f = folds(stories)
    assert f[0] == f[1] == f[2]
    counts = np.bincount(f, minlength=FOLDS)
    assert counts.max() - counts.min() <= 3  # the linked story is dealt whole


def test_each_question_is_weighed_by_models_fitted_without_its_fold(monkeypatch):
    """The ranker and the answerability that judge a fold never saw it; the final models
    saw all."""
    from types import SimpleNamespace

    from eval import fit_select

    rows = [
        SimpleNamespace(
            n=n, news=True, answerable=n % 3 != 0, labels=np.zeros(1, bool), reader=None
        )
        for n in range(40)
    ]
    fold = folds([[] for _ in rows])
    fitted_on: list[set[int]] = []

    def fit_ranker(train):
        fitted_on.append({r.n for r in train})
        return {"model": float(len(fitted_on) - 1)}

    def served(part, rank, reread=0.0):
        ids = np.array([[r.n] for r in part], dtype=float).reshape(len(part), 1)
        answerable = np.array([r.answerable for r in part], bool)
        return Served(
            ids, answerable.copy(), np.ones(len(part), bool), answerable, np.zeros(len(part), bool)
        )

    judged: list[tuple[int, int]] = []  # (row, the model that judged it)

    def probabilities(s, weights):
        judged.extend((int(n), int(weights.rank["model"])) for n in s.features[:, 0])
        return np.full(len(s.features), 0.5)

    monkeypatch.setattr(fit_select, "fit_ranker", fit_ranker)
    monkeypatch.setattr(fit_select, "served", served)
    answerable_on: list[set[int]] = []  # the rows each answerability model was fitted on

    def fit_answerable(s):
        answerable_on.append({int(n) for n in s.features[:, 0]})
        return {"model": float(len(answerable_on) - 1)}, None

    monkeypatch.setattr(fit_select, "fit_confidence", lambda s: {})
    monkeypatch.setattr(fit_select, "fit_answerable", fit_answerable)
    monkeypatch.setattr(fit_select, "probabilities", probabilities)
    served_rank = {"model": -1.0}  # the ranker fitted on every row, passed in
    weights, _ = fit_select.fit_select(rows, fold, served_rank)
    assert sorted(n for n, _ in judged) == list(range(40))  # each judged once
    for n, model in judged:
        assert n not in fitted_on[model] and n not in answerable_on[model]
        assert fitted_on[model] == {r.n for r in rows if fold[r.n] != fold[n]}
        assert answerable_on[model] == fitted_on[model]
    assert len(fitted_on) == FOLDS  # one ranker a fold; the served one is passed in
    assert weights.rank is served_rank and answerable_on[-1] == set(range(40))


def test_an_article_is_a_story_of_its_own_collection():
    """Two sets asked of one collection share its stories; another collection's article of
    the same name is another story."""
    from eval.calibrate import Asked
    from eval.questions import Question

    def asked(collection, *doc_ids):
        q = Question("q", "Q?", ("a",), doc_ids, True)
        return Asked(q, None, None, [], True, collection)

    stories = [
        asked("bbc", "tech_001"),
        asked("bbc", "tech_001", "tech_002"),
        asked("nd", "tech_001"),
    ]
    assert [a.stories() for a in stories] == [
        ["bbc/tech_001"],
        ["bbc/tech_001", "bbc/tech_002"],
        ["nd/tech_001"],
    ]
    f = folds([a.stories() for a in stories] + [[f"z/{n}"] for n in range(20)])
    assert f[0] == f[1]


def test_the_stored_trees_answer_as_the_fitted_model_does():
    """The answerability's trees, stored as lists and read without scikit-learn, give the
    fitted model's log-odds, through a JSON round trip; values on a split's threshold
    go left in single precision, as scikit-learn's do."""
    import json

    from sklearn.ensemble import GradientBoostingClassifier

    from eval.fit_select import trees_from_model
    from qa.trees import Trees

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] + X[:, 1] * X[:, 2] + rng.normal(scale=0.5, size=400)) > 0
    model = GradientBoostingClassifier(n_estimators=30, max_depth=3, random_state=0).fit(X, y)
    names = ("a", "b", "c")
    trees = Trees.from_json(json.loads(json.dumps(trees_from_model(model, names).to_json())))
    # Rows off the data, and rows on either side of every split: scikit-learn's thresholds
    # are doubles, met by values in single precision, so the nearest single-precision
    # values at and above each threshold must go the way scikit-learn sends them.
    edges = []
    for t in (e.tree_ for e in model.estimators_[:, 0]):
        for feature, split in zip(t.feature, t.threshold, strict=True):
            if feature < 0:
                continue
            near = np.float32(split)
            for x in (
                near,
                np.nextafter(near, np.float32(np.inf)),
                np.nextafter(near, np.float32(-np.inf)),
            ):
                row = np.zeros(3)
                row[feature] = x
                edges.append(row)
    rows = np.vstack([rng.normal(size=(200, 3)), edges])
    expected = model.decision_function(rows)
    got = [trees.log_odds(dict(zip(names, r, strict=True))) for r in rows.tolist()]
    assert np.allclose(got, expected, atol=1e-9)
    assert len({round(z, 3) for z in got}) > 20  # the trees split: not one prior


def test_fitted_answerability_reads_interactions_a_sum_cannot():
    """Answerable when the question's story is found and a sentence names the type asked
    for, or when neither is (a question on words alone): a sum of the two cannot say it;
    the trees fitted by fit_answerable do."""
    from eval.fit_select import fit_answerable
    from qa.select import CONFIDENCE_FEATURES

    rng = np.random.default_rng(1)
    n = 800
    F = rng.uniform(size=(n, len(CONFIDENCE_FEATURES)))
    story, typed = CONFIDENCE_FEATURES.index("story"), CONFIDENCE_FEATURES.index("typed")
    answerable = (F[:, story] > 0.5) == (F[:, typed] > 0.5)
    s = Served(F, answerable, np.ones(n, bool), answerable, np.zeros(n, bool))
    _, trees = fit_answerable(s)
    test = rng.uniform(size=(200, len(CONFIDENCE_FEATURES)))
    truth = (test[:, story] > 0.5) == (test[:, typed] > 0.5)
    z = np.array([trees.log_odds(dict(zip(CONFIDENCE_FEATURES, r, strict=True))) for r in test])
    assert np.mean((z > 0) == truth) > 0.9


def test_calibration_text_puts_each_tree_on_a_line_and_reads_back_the_same_model():
    """The stored file keeps one line per tree, its thresholds in few digits, and reads
    back as the very trees written: every threshold the same single-precision number."""
    import json

    from eval.calibrate import calibration_text
    from qa.trees import Trees

    rng = np.random.default_rng(2)
    thresholds = rng.normal(size=15).astype(np.float32).astype(float)
    tree = (
        tuple(range(15)),
        tuple(thresholds.tolist()),
        tuple([-1] * 15),
        tuple([-1] * 15),
        tuple(rng.normal(size=15).tolist()),
    )
    written = Trees(("a",), 0.25, 0.1, (tree, tree))
    data = {"rank": {"dense": 1.0}, "answerable_trees": written.to_json(), "threshold": 0.6}
    text = calibration_text(data)
    lines = text.splitlines()
    assert sum('"feature": [' in line for line in lines) == 2
    assert len(lines) < 30  # indented, but no line per node
    read = json.loads(text)
    assert read["rank"] == data["rank"] and read["threshold"] == 0.6
    assert Trees.from_json(read["answerable_trees"]) == written
    assert max(len(repr(x)) for x in read["answerable_trees"]["trees"][0]["threshold"]) <= 15
