"""Answer questions from a stored index, and follow its updates while serving."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from index import (
    MODEL_NAME,
    Embedder,
    IndexProblem,
    Store,
    StoredDocument,
)
from index.embed import MODEL_DIM, question_embedder

from . import saved
from .answer import answer
from .answer_type import AnswerTyper
from .building import loaded
from .corpus import Corpus
from .embedding import Embedding
from .filters import Filters
from .following import Following
from .memory import give_back_memory, read_ahead
from .question import read_question
from .reader import READER_FILE, OnnxReader, packaged_reader
from .records import Answer, StageTimes
from .retrieve import retrieve
from .select import Weights

NARROWED_KEPT = 8


log = logging.getLogger(__name__)


class QA(Following, Embedding):
    """One index folder, loaded and searchable; ``ask`` is safe to call from many threads.

    Every question is answered from a single immutable ``Corpus``; an update written by
    any process is picked up by building a new one and swapping it in whole, so an
    answer never mixes old and new (following.py). So is a folder replaced by another
    index (a rebuild, a restored backup); a folder gone stops the answers until an index
    is back.
    """

    def __init__(
        self,
        index_dir: Path,
        embedder: Embedder | None = None,
        weights: Weights | None = None,
        create: bool = False,
        questions: Embedder | None = None,
    ) -> None:
        name, dim = (embedder.name, embedder.dim) if embedder else (MODEL_NAME, MODEL_DIM)
        self.store = Store(index_dir, name, dim, create=create)
        self._embedder = embedder
        # Questions go through the fast int8 ONNX export unless an embedder was given.
        self._questions = questions or embedder or question_embedder(Path(index_dir) / "onnx")
        self.weights = weights or Weights.load()
        self.reader = self._reader(Path(index_dir)) if self.weights.reads else None
        self.typer = AnswerTyper.load()
        self._lock = threading.Lock()  # held while a generation is loaded or swapped
        self._embedder_lock = threading.Lock()  # loading it takes seconds: answers go on
        self._answering = threading.Lock()  # one question at a time (ask_timed)
        self._sync_lexical()
        # The first process to start on the folder saves and merges its segments.
        self._owner = saved.Owner(self.store.dir)
        self._seen = saved.stamp(self.store.dir)  # the manifest loaded() opens, or newer
        self.corpus, in_pieces = loaded(self.store, self._kept)
        give_back_memory()  # what reading every row took, beyond what the corpus keeps
        # Started with the index out of the page cache, a 1M-chunk archive answered its
        # first questions in 64 ms at the median instead of 18 (bench/RESULTS.md).
        threading.Thread(
            target=read_ahead,
            args=(saved.searched_files(self.corpus, self.store),),
            name="index-read-ahead",
            daemon=True,
        ).start()
        self._merging: threading.Thread | None = None
        self._ended: list[threading.Thread] = []
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._embed_cached = lru_cache(maxsize=4096)(self._embed)
        # A page asks several questions under one filter: its narrowed corpus is kept.
        self._narrow_lock = threading.Lock()
        self._narrowed: OrderedDict[tuple[int, tuple[str, ...]], Corpus] = OrderedDict()
        self._gone: IndexProblem | None = None  # why the loaded corpus may not be served
        self._on_reload: Callable[[float], None] | None = None
        self._on_error: Callable[[Exception], None] | None = None
        self._verified: tuple[object, list[str]] | None = None  # (file state, problems)
        if in_pieces:
            self.join_pieces()
        else:
            self.merge_later()

    @staticmethod
    def _reader(index_dir: Path) -> OnnxReader:
        """The packaged reader's int8 export, made once in the user's cache and shared by
        every index there; in the index folder where that cache cannot be written."""
        try:
            return packaged_reader()
        except OSError as e:
            if not READER_FILE.exists():
                raise  # the fitted file is missing: the error says how to restore it
            log.warning("the reader is exported into the index folder: %s", e)
            return packaged_reader(index_dir / "onnx")

    def _sync_lexical(self) -> None:
        """Bring the lexical index up to the store's generation if a write died between
        its two commits (or it predates the index), unless a writer is at work: that
        writer does it."""
        try:
            with self.store.writer(wait=0):
                self.store.sync_lexical()
        except IndexProblem:
            pass  # busy, or a read-only folder: answers go on without the newest chunks

    def close(self) -> None:
        self._stop.set()
        self.stop_merging()
        if self._watcher:
            self._watcher.join(timeout=5)
        self.store.close()
        self._owner.release()

    def _narrow(self, corpus: Corpus, doc_ids: tuple[str, ...]) -> Corpus:
        """``corpus`` narrowed to ``doc_ids``, kept for the last few filters."""
        key = (corpus.generation, doc_ids)  # one generation is one corpus
        with self._narrow_lock:
            if key in self._narrowed:
                self._narrowed.move_to_end(key)
                return self._narrowed[key]
        narrowed = corpus.narrowed(doc_ids)
        with self._narrow_lock:
            self._narrowed[key] = narrowed
            while len(self._narrowed) > NARROWED_KEPT:
                self._narrowed.popitem(last=False)
        return narrowed

    def documents(self, filters: Filters | None = None) -> list[StoredDocument]:
        """The articles ``filters`` allow, in the index's order, their texts and paragraphs
        left empty (``corpus.details``: a listing reads none); raises BadFilters for an outlet or
        doc_id the collection does not hold."""
        details = self.current().details
        return [details[d] for d in (filters or Filters()).select(details)]

    def ask(
        self,
        question: str,
        top_k: int = 5,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> Answer:
        """The cited answer from the articles ``filters`` allow (all when None); raises
        BadFilters for an outlet or doc_id the collection does not hold."""
        return self.ask_timed(question, top_k, mode, filters)[0]

    def ask_timed(
        self,
        question: str,
        top_k: int = 5,
        mode: str = "hybrid",
        filters: Filters | None = None,
    ) -> tuple[Answer, StageTimes]:
        """The answer, and how long each stage took. A process answers one question at a
        time: an answer is mostly Python, which runs one thread at a time, and threads
        answering side by side only contend for the interpreter (8 threads asking at once
        on the BBC index: 106-116 answers/s, and 168-171 one at a time)."""
        corpus = self.current()  # one generation for the whole answer
        t0 = time.perf_counter()
        # ONNX Runtime embeds without holding the interpreter, so this is done before the
        # question's turn, while another question's Python runs.
        query = self.embed_question(question)
        embedded = time.perf_counter() - t0
        with self._answering:
            t0 = time.perf_counter() - embedded  # the wait for its turn is no stage's
            if filters and not filters.empty:
                allowed = tuple(filters.select(corpus.details))
                if not allowed:
                    reason = f"no article matches the filters ({filters.describe()})"
                    declined = Answer(question, None, False, 0.0, reason=reason, answerability=0.0)
                    return declined, StageTimes(0, 0, 0)
                corpus = self._narrow(corpus, allowed)
            q = read_question(corpus, question, self.typer)
            t1 = time.perf_counter()
            hits = retrieve(corpus, question, query, top_k=top_k, mode=mode)
            t2 = time.perf_counter()
            result = answer(corpus, q, query, hits, self.weights, self.reader)
            times = StageTimes(t1 - t0, t2 - t1, time.perf_counter() - t2)
        self.bound_mapped_pages()  # 18 us to look, on this machine
        return result, times


__all__ = ["QA", "StageTimes"]
