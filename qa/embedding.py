"""A service's two embedders: the fast one its questions go through, and the full-precision
one for the articles written through it, loaded on the first write."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from index import Embedder, Store
from index.embed import article_embedder


class Embedding:
    """The embedders of a service (``QA``, service.py), which sets these attributes."""

    store: Store
    _embedder: Embedder | None  # for articles: None until the first write needs it
    _questions: Embedder
    _embedder_lock: threading.Lock  # loading it takes seconds: answers go on
    _embed_cached: Callable[[str], np.ndarray]  # _embed, remembering recent questions

    @property
    def embedder(self) -> Embedder:
        """The embedder for new articles, loaded on the first write: full precision, as
        every stored vector is, unless an embedder was given."""
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = article_embedder(Path(self.store.dir) / "onnx")
            return self._embedder

    def _embed(self, text: str) -> np.ndarray:
        return self._questions.embed([text])[0]

    def embed_questions(self, questions: list[str]) -> np.ndarray:
        """The vectors of many questions at once, as ``ask`` embeds each (for fitting)."""
        return self._questions.embed([q.strip() for q in questions])

    def embed_question(self, question: str) -> np.ndarray:
        """The question's vector; a question asked again is not embedded again."""
        return self._embed_cached(question.strip())
