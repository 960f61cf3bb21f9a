"""The packaged model, and its ONNX export used for questions, agree."""

import os
import subprocess

import numpy as np
import pytest

from index.embed import (
    MODEL_DIM,
    MODEL_NAME,
    OnnxEmbedder,
    article_embedder,
    quantized_export,
    question_embedder,
)

TEXTS = [
    "Who did Trump send to meet Maduro?",
    "a",
    "Six Americans who had been detained in Venezuela are heading home to the US. "
    * 12,  # > 256 tokens
    "Grenell’s picture shows four of the released Americans wearing light blue outfits.",
]


def test_real_model_gives_unit_vectors_of_its_dimension(real_embedder):
    v = real_embedder.embed(TEXTS)
    assert (real_embedder.name, real_embedder.dim) == (MODEL_NAME, MODEL_DIM)
    assert v.shape == (len(TEXTS), MODEL_DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # Related texts are closer than unrelated ones.
    assert v[0] @ v[2] > v[0] @ v[1]


def test_onnx_export_matches_sentence_transformers(real_embedder, tmp_path):
    onnx_file = real_embedder.export_onnx(tmp_path / "model.onnx")
    fast = OnnxEmbedder(onnx_file)
    a, b = fast.embed(TEXTS), real_embedder.embed(TEXTS)
    assert np.allclose((a * b).sum(axis=1), 1.0, atol=1e-4)
    # one at a time (no padding) as on the request path
    for text, expected in zip(TEXTS, b, strict=True):
        assert float(fast.embed([text])[0] @ expected) > 0.9999


def test_question_embedder_exports_once_and_reuses_the_files(tmp_path):
    first = question_embedder(tmp_path)
    files = [tmp_path / f"{MODEL_NAME}.onnx", tmp_path / f"{MODEL_NAME}.int8.onnx"]
    stamps = [f.stat().st_mtime_ns for f in files]
    second = question_embedder(tmp_path)
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert isinstance(second, OnnxEmbedder)
    assert np.allclose(first.embed(TEXTS[:1]), second.embed(TEXTS[:1]))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)


def test_quantised_questions_stay_close_to_the_full_model(real_embedder, tmp_path):
    """Questions go through the int8 export, articles through the full model: a question
    must land where the full model puts it, and find the same passage first."""
    real_embedder.export_onnx(tmp_path / f"{MODEL_NAME}.onnx")
    quick = OnnxEmbedder(quantized_export(tmp_path))
    questions = [
        "Who did Trump send to meet Maduro?",
        "How many Americans were released?",
        "What colour were the prisoners' outfits?",
        "When did the plane land in Texas?",
    ]
    full = real_embedder.embed(questions)
    quantised = np.stack([quick.embed([q])[0] for q in questions])
    assert ((full * quantised).sum(axis=1) > 0.98).all()
    passages = real_embedder.embed(TEXTS)
    assert ((full @ passages.T).argmax(axis=1) == (quantised @ passages.T).argmax(axis=1)).all()
    # Articles keep full precision.
    assert np.allclose(article_embedder(tmp_path).embed(TEXTS[:1]), passages[:1], atol=1e-5)


def test_onnx_embeds_many_texts_of_many_lengths_in_their_order(real_embedder, tmp_path):
    """New articles go through the ONNX export in a server: batched by length, each
    text keeps its own vector."""
    texts = [f"{i}: " + TEXTS[i % len(TEXTS)][: 10 + 37 * i] for i in range(70)]
    fast = OnnxEmbedder(real_embedder.export_onnx(tmp_path / "model.onnx"))
    a, b = fast.embed(texts), real_embedder.embed(texts)
    assert a.shape == (70, MODEL_DIM)
    assert np.allclose((a * b).sum(axis=1), 1.0, atol=1e-4)


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root")
def test_a_folder_that_cannot_take_the_int8_export_keeps_the_full_one(real_embedder, tmp_path):
    folder = tmp_path / "onnx"
    real_embedder.export_onnx(folder / f"{MODEL_NAME}.onnx")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
    if made.returncode:
        pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
    try:
        questions = question_embedder(folder)  # read-only since its export
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert not (folder / f"{MODEL_NAME}.int8.onnx").exists()
    full = OnnxEmbedder(folder / f"{MODEL_NAME}.onnx")
    assert np.allclose(questions.embed(TEXTS[:1]), full.embed(TEXTS[:1]))
