"""The shipped reader: it tells a sentence giving the detail asked for from one on the same
story that does not, and the service needs it once its models weigh it."""

import numpy as np
import pytest

from qa import reader as reader_module
from qa.reader import MAX_TOKENS, READER_FILE, OnnxReader, Reader, export, packaged_reader
from qa.select import Weights
from qa.service import QA

# (question, a sentence that answers it, a sentence on the same story that does not)
CASES = [
    (
        "How much will construction of the solar farm cost?",
        "The council expects construction of the solar farm to cost 21 million euros.",
        "The council voted 7 to 2 to approve construction of the solar farm.",
    ),
    (
        "How many solar panels will the farm have?",
        "The farm will have 14,000 solar panels on forty hectares near the town.",
        "The solar farm will be built on forty hectares of former farmland near the town.",
    ),
    (
        "Who was appointed chief executive of the bank?",
        "The bank appointed Maria Lopez, its finance director, as chief executive on Monday.",
        "The bank said it would appoint a new chief executive within the next few months.",
    ),
    (
        "When did the strike at the port begin?",
        "The strike at the port began on 3 March, when 400 dockers walked out over pay.",
        "Dockers at the port said the strike was about pay and conditions.",
    ),
]


@pytest.mark.parametrize(("question", "answers", "does_not"), CASES)
def test_the_reader_prefers_the_sentence_giving_the_detail(question, answers, does_not):
    reader = packaged_reader()
    assert reader.logit(question, answers) > reader.logit(question, does_not)


def test_weights_that_read_need_the_reader(tmp_path, monkeypatch):
    assert not Weights(confidence={"read": 0.0}).reads
    assert Weights(answerable={"read": 0.5}).reads
    monkeypatch.setattr(reader_module, "READER_FILE", tmp_path / "missing.safetensors")
    packaged_reader.cache_clear()
    try:
        with pytest.raises(FileNotFoundError, match="eval.calibrate --write"):
            packaged_reader()
    finally:
        packaged_reader.cache_clear()


# Pairs of several lengths, the last cut to the reader's length.
PAIRS = [(q, s) for q, *sentences in CASES for s in sentences] + [
    (CASES[0][0], " ".join(s for _, a, b in CASES for s in (a, b)))
]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("onnx")
    return folder, export(READER_FILE, folder)


def test_the_int8_export_reads_as_the_fitted_reader(exported):
    _, onnx_file = exported
    onnx, full = OnnxReader(onnx_file), Reader()
    got = np.array([onnx.logit(q, s) for q, s in PAIRS])
    want = np.array([full.logits(q, [s])[0] for q, s in PAIRS])
    # int8 weights move a logit by up to about half a unit on these pairs; unrelated
    # weights would not keep them this close, nor in this order.
    assert np.abs(got - want).max() < 1.0
    assert np.corrcoef(got, want)[0, 1] > 0.95


def test_sentences_read_together_read_as_each_alone(exported):
    # The service reads a question's sentences at once; fitting weighed them read so.
    onnx = OnnxReader(exported[1])
    for question, *sentences in CASES:
        together = onnx.logits(question, [*sentences, *sentences[::-1]])
        alone = [onnx.logit(question, s) for s in [*sentences, *sentences[::-1]]]
        assert together == alone and together[0] != together[1]
    assert onnx.logits(CASES[0][0], []) == []


def test_the_export_is_made_once_and_named_by_the_fitted_file(exported, tmp_path):
    folder, onnx_file = exported
    made = onnx_file.stat().st_mtime_ns
    assert export(READER_FILE, folder) == onnx_file
    assert onnx_file.stat().st_mtime_ns == made
    other = tmp_path / "reader.safetensors"
    other.write_bytes(READER_FILE.read_bytes() + b" ")  # another fit: another name
    assert reader_module.reader_name(other) != onnx_file.name


def test_a_pair_is_read_at_its_own_length_and_cut_at_the_readers(exported):
    onnx = OnnxReader(exported[1])
    # The model's tokenizer file pads every text to 128 tokens; a pair read at its own
    # length costs half the time or less.
    short = onnx.feed("Who won?", "Ann won.")["input_ids"]  # [CLS] who won ? [SEP] ann won . [SEP]
    assert short.shape == (1, 9) and (short != 0).all()
    question = "Which " + " ".join(["council"] * 150) + " voted?"
    assert onnx.feed(question, CASES[0][1])["input_ids"].shape == (1, MAX_TOKENS)
    assert np.isfinite(onnx.logit(question, CASES[0][1]))


def test_the_service_exports_into_the_index_folder_when_the_cache_cannot_be_written(
    exported, tmp_path, monkeypatch
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    packaged_reader.cache_clear()
    try:
        reader = QA._reader(tmp_path / "index")
    finally:
        packaged_reader.cache_clear()
    assert (tmp_path / "index" / "onnx" / exported[1].name).exists()
    q, s = PAIRS[0]
    assert reader.logit(q, s) == OnnxReader(exported[1]).logit(q, s)
