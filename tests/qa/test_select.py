"""The weights that rank sentences and weigh the winner, as calibration.json stores them."""

import json

from qa.features import RANK_FEATURES
from qa.select import CALIBRATION_FILE, CONFIDENCE_FEATURES, Weights, answerability, confidence


def test_the_fitted_file_holds_every_feature_of_both_models():
    data = json.loads(CALIBRATION_FILE.read_text())
    for model in ("confidence", "answerable"):
        assert set(data[model]) == {*CONFIDENCE_FEATURES, "bias"}, model
    assert set(data["rank"]) == set(RANK_FEATURES)
    w = Weights.load()
    assert w.answerable and w.answerable != w.confidence
    assert 0.0 < w.threshold < 1.0


def test_a_file_without_an_answerability_model_declines_on_the_confidence(tmp_path):
    data = json.loads(CALIBRATION_FILE.read_text())
    del data["answerable"]
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(data))
    w = Weights.load(path)
    features = {k: 0.5 for k in CONFIDENCE_FEATURES}
    assert w.answerable == {}
    assert answerability(features, w) == confidence(features, w)
    assert answerability(features, Weights.load()) != confidence(features, Weights.load())
