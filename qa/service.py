"""Answer questions from a stored index, and follow its updates while serving."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import MODEL_NAME, Embedder, SentenceTransformerEmbedder, Store, StoredDocument
from index.embed import MODEL_DIM, question_embedder

from .answer import answer
from .answer_type import AnswerTyper
from .corpus import Corpus
from .filters import Filters
from .narrow import narrow
from .question import read_question
from .records import Answer
from .retrieve import retrieve
from .select import Weights

NARROWED_KEPT = 8


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
        self.typer = AnswerTyper.load()
        self._lock = threading.Lock()
        self.corpus = Corpus.load(self.store)
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._embed_cached = lru_cache(maxsize=4096)(self._embed)
        # A page asks several questions under one filter: its narrowed corpus is kept.
        self._narrow_lock = threading.Lock()
        self._narrowed: OrderedDict[tuple[int, tuple[str, ...]], Corpus] = OrderedDict()

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

    def _narrow(self, corpus: Corpus, doc_ids: tuple[str, ...]) -> Corpus:
        """``corpus`` narrowed to ``doc_ids``, kept for the last few filters."""
        key = (corpus.generation, doc_ids)  # one generation is one corpus
        with self._narrow_lock:
            if key in self._narrowed:
                self._narrowed.move_to_end(key)
                return self._narrowed[key]
        narrowed = narrow(corpus, doc_ids)
        with self._narrow_lock:
            self._narrowed[key] = narrowed
            while len(self._narrowed) > NARROWED_KEPT:
                self._narrowed.popitem(last=False)
        return narrowed

    def documents(self, filters: Filters | None = None) -> list[StoredDocument]:
        """The articles ``filters`` allow, in the index's order; raises BadFilters for an
        outlet or doc_id the collection does not hold."""
        docs = self.corpus.documents
        return [docs[d] for d in (filters or Filters()).select(docs)]

    def ask(
        self,
        question: str,
        top_k: int = 5,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> Answer:
        """The cited answer from the articles ``filters`` allow (all when None); raises
        BadFilters for an outlet or doc_id the collection does not hold."""
        corpus = self.corpus  # one generation for the whole answer
        if filters and not filters.empty:
            allowed = tuple(filters.select(corpus.documents))
            if not allowed:
                reason = f"no article matches the filters ({filters.describe()})"
                return Answer(question, None, False, 0.0, reason=reason)
            corpus = self._narrow(corpus, allowed)
        q = read_question(corpus, question, self.typer)
        query = self.embed_question(question)
        hits = retrieve(corpus, question, query, top_k=top_k, mode=mode)
        return answer(corpus, q, query, hits, self.weights)


__all__ = ["QA"]
