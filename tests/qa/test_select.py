"""The weights that rank sentences and weigh the winner, as calibration.json stores them."""

import json

import pytest

from qa.features import RANK_FEATURES
from qa.select import CALIBRATION_FILE, CONFIDENCE_FEATURES, Weights, answerability, confidence


def test_the_fitted_file_holds_every_feature_of_both_models():
    data = json.loads(CALIBRATION_FILE.read_text())
    assert set(data["confidence"]) == {*CONFIDENCE_FEATURES, "bias"}
    assert data["answerable"]["features"] == list(CONFIDENCE_FEATURES)
    assert set(data["rank"]) == set(RANK_FEATURES)
    w = Weights.load()
    assert w.answerable and len(w.answerable.trees) > 1
    # The trees split on more than one feature of the evidence.
    split_on = {f for t in w.answerable.trees for f, left in zip(t[0], t[2]) if left != -1}
    assert len(split_on) > 3
    assert 0.0 < w.threshold < 1.0


def test_a_file_weighing_features_the_service_lacks_is_refused_saying_how_to_mend_it(
    tmp_path,
):
    data = json.loads(CALIBRATION_FILE.read_text())
    data["answerable"]["features"][0] = "retired_feature"
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="retired_feature.*python -m eval.calibrate --write"):
        Weights.load(path)


def test_a_file_without_an_answerability_model_declines_on_the_confidence(tmp_path):
    data = json.loads(CALIBRATION_FILE.read_text())
    del data["answerable"]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    w = Weights.load(path)
    features = {k: 0.5 for k in CONFIDENCE_FEATURES}
    assert w.answerable is None
    assert answerability(features, w) == confidence(features, w)
    assert answerability(features, Weights.load()) != confidence(features, Weights.load())
