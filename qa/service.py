"""Answer questions from a stored index, and follow its updates while serving."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import MODEL_NAME, Embedder, SentenceTransformerEmbedder, Store
from index.embed import MODEL_DIM, question_embedder

from .answer import answer
from .corpus import Corpus
from .records import Answer
from .retrieve import retrieve
from .select import Weights


class QA:
    """One index folder, loaded and searchable; ``ask`` is safe to call from many threads.

    Every question is answered from a single immutable ``Corpus``; an update written by
    any process is picked up by building a new one and swapping it in whole, so an
    answer never mixes old and new.
    """

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder | None = None,
        weights: Weights | None = None,
        create: bool = False,
    ) -> None:
        name, dim = (embedder.name, embedder.dim) if embedder else (MODEL_NAME, MODEL_DIM)
        self.store = Store(index_dir, name, dim, create=create)
        self._embedder = embedder
        # Questions go through the fast ONNX export unless an embedder was given.
        self._questions = embedder or question_embedder(Path(index_dir) / "onnx")
        self.weights = weights or Weights.load()
        self._lock = threading.Lock()
        self.corpus = Corpus.load(self.store)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._embed_cached = lru_cache(maxsize=4096)(self._embed)

    @property
    def embedder(self) -> Embedder:
        """The batch embedder for new articles, loaded on the first write."""
        with self._lock:
            if self._embedder is None:
                self._embedder = SentenceTransformerEmbedder()
            return self._embedder

    def _embed(self, text: str) -> np.ndarray:
        return self._questions.embed([text])[0]

    def embed_question(self, question: str) -> np.ndarray:
        """The question's vector; a question asked again is not embedded again."""
        return self._embed_cached(question.strip())

    def refresh(self) -> bool:
        """Load the newest generation if the stored index has moved on; True if it had."""
        with self._lock:
            if self.store.generation() == self.corpus.generation:
                return False
            self.corpus = Corpus.load(self.store)
            return True

    def watch(
        self, every: float = 1.0, on_error: Callable[[Exception], None] | None = None
    ) -> None:
        """Follow updates from other processes in a background thread (one at most)."""
        if self._watcher and self._watcher.is_alive():
            return

        def loop() -> None:
            while not self._stop.wait(every):
                try:
                    self.refresh()
                except Exception as e:  # keep serving the last good generation
                    if on_error:
                        on_error(e)

        self._watcher = threading.Thread(target=loop, name="index-watcher", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        if self._watcher:
            self._watcher.join(timeout=5)
        self.store.close()

    def ask(self, question: str, top_k: int = 5, mode: str = "hybrid") -> Answer:
        corpus = self.corpus  # one generation for the whole answer
        query = self.embed_question(question)
        hits = retrieve(corpus, question, query, top_k=top_k, mode=mode)
        return answer(corpus, question, query, hits, self.weights)


__all__ = ["QA"]
