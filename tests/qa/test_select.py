"""The weights that rank sentences and weigh the winner, as calibration.json stores them."""

import json
import math

import pytest

from qa.features import RANK_FEATURES
from qa.select import (
    CALIBRATION_FILE,
    CONFIDENCE_FEATURES,
    Weights,
    _answer_sentences,
    answerability,
    confidence,
)

from ..conftest import FakeEmbedder, build_qa


def test_the_fitted_file_holds_every_feature_of_both_models():
    data = json.loads(CALIBRATION_FILE.read_text())
    for model in ("confidence", "answerable"):
        assert set(data[model]) == {*CONFIDENCE_FEATURES, "bias"}, model
    assert data["answerable_trees"]["features"] == list(CONFIDENCE_FEATURES)
    assert set(data["rank"]) == set(RANK_FEATURES)
    w = Weights.load()
    assert w.answerable and w.answerable != w.confidence
    assert w.answerable_trees and len(w.answerable_trees.trees) > 1
    # The trees split on more than a few features of the evidence.
    trees = w.answerable_trees.trees
    split_on = {f for t in trees for f, left in zip(t[0], t[2], strict=True) if left != -1}
    assert len(split_on) > 3
    assert 0.0 < w.threshold < 1.0


def test_the_answerability_averages_the_two_models_log_odds():
    w = Weights.load()
    assert w.answerable_trees
    features = {k: 0.5 for k in CONFIDENCE_FEATURES}
    linear = Weights(confidence=w.answerable)  # the logistic model alone, as a confidence
    p_linear = confidence(features, linear)
    z_trees = w.answerable_trees.log_odds(features)
    z = (math.log(p_linear / (1 - p_linear)) + z_trees) / 2
    assert answerability(features, w) == pytest.approx(1 / (1 + math.exp(-z)))
    assert answerability(features, w) != pytest.approx(p_linear)


def test_a_file_weighing_features_the_service_lacks_is_refused_saying_how_to_mend_it(
    tmp_path,
):
    data = json.loads(CALIBRATION_FILE.read_text())
    data["answerable_trees"]["features"][0] = "retired_feature"
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="retired_feature.*python -m eval.calibrate --write"):
        Weights.load(path)


def test_a_file_without_an_answerability_model_declines_on_the_confidence(tmp_path):
    data = json.loads(CALIBRATION_FILE.read_text())
    del data["answerable"], data["answerable_trees"]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    w = Weights.load(path)
    features = {k: 0.5 for k in CONFIDENCE_FEATURES}
    assert w.answerable == {} and w.answerable_trees is None
    assert answerability(features, w) == confidence(features, w)
    assert answerability(features, Weights.load()) != confidence(features, Weights.load())


ARTICLES = {
    "a": "Port reopens\n\nThe port of Lamu reopened on Monday. Ferries were delayed all week. "
    "The harbour master said repairs cost 2 million shillings. Fishermen returned to sea.",
    "b": "Ferry news\n\nA new ferry will serve Lamu from June.",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    service = build_qa(tmp_path_factory.mktemp("select") / "index", FakeEmbedder(), ARTICLES)
    yield service.corpus
    service.close()


def _sentences(corpus, doc_id):
    return corpus.doc_sentences[doc_id].tolist()


def test_a_sentence_of_the_same_article_nearly_as_likely_joins_the_answer_next_to_it_or_not(
    corpus,
):
    a, b = _sentences(corpus, "a"), _sentences(corpus, "b")
    best, far = a[0], a[2]  # two sentences apart, with one between them
    score = {best: 3.0, a[1]: 0.0, far: 2.9, a[3]: 1.0, b[-1]: 2.95}
    assert _answer_sentences(corpus, best, score, 0.25) == [best, far]  # not b's, not a[1]
    # Below the margin, the best sentence stands alone.
    assert _answer_sentences(corpus, best, {**score, far: 2.5}, 0.25) == [best]


def test_the_fitted_file_weighs_the_reader_in_choosing():
    data = json.loads(CALIBRATION_FILE.read_text())
    assert data["reread"] > 0 and Weights.load().reread == data["reread"]
    # A weight for the reader in choosing is enough to need it.
    assert Weights(reread=1.0).reads and not Weights().reads
