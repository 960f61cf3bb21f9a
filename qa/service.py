"""Answer questions from a stored index, and follow its updates while serving."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from index import (
    MODEL_NAME,
    Embedder,
    IndexBusy,
    IndexMissing,
    IndexProblem,
    Store,
    StoredDocument,
)
from index.embed import MODEL_DIM, question_embedder

from . import merger, saved
from .answer import answer
from .answer_type import AnswerTyper
from .building import loaded
from .corpus import Corpus
from .embedding import Embedding
from .filters import Filters
from .memory import FILE_RESIDENT_MB, drop_mapped_pages, file_resident_mb, give_back_memory
from .question import read_question
from .records import Answer, StageTimes
from .retrieve import retrieve
from .select import Weights

NARROWED_KEPT = 8


class QA(merger.Merging, Embedding):
    """One index folder, loaded and searchable; ``ask`` is safe to call from many threads.

    Every question is answered from a single immutable ``Corpus``; an update written by
    any process is picked up by building a new one and swapping it in whole, so an
    answer never mixes old and new. So is a folder replaced by another index (a rebuild,
    a restored backup); a folder gone stops the answers until an index is back.
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
        self.typer = AnswerTyper.load()
        self._lock = threading.Lock()  # held while a generation is loaded or swapped
        self._embedder_lock = threading.Lock()  # loading it takes seconds: answers go on
        self._sync_lexical()
        corpus, in_pieces = loaded(self.store)
        self.corpus = saved.keep(corpus, self.store)
        give_back_memory()  # what reading every row took, beyond what the corpus keeps
        self._merging: threading.Thread | None = None
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

    def _sync_lexical(self) -> None:
        """Bring the lexical index up to the store's generation if a write died between
        its two commits (or it predates the index), unless a writer is at work: that
        writer does it."""
        try:
            with self.store.writer(wait=0):
                self.store.sync_lexical()
        except IndexProblem:
            pass  # busy, or a read-only folder: answers go on without the newest chunks

    def refresh(self) -> bool:
        """Load the newest generation if the stored index has moved on, or the index now
        in the folder if it was replaced; True if either. A folder whose index is gone or
        cannot be loaded raises, and answers stop until it is back."""
        start = time.perf_counter()
        try:
            reloaded = self._reload()
        except IndexBusy:
            raise
        except Exception as e:
            if self._on_error:
                self._on_error(e)
            raise
        if reloaded:
            give_back_memory()
            if self._on_reload:
                self._on_reload(time.perf_counter() - start)
            self.merge_later()
        return reloaded

    def _reload(self) -> bool:
        with self._lock:
            try:
                if self.store.replaced():
                    store = Store(self.store.dir, self.store.model, self.store.dim, create=False)
                    try:
                        corpus = saved.keep(loaded(store)[0], store)
                    except BaseException:
                        store.close()
                        raise
                    old, self.store, self.corpus = self.store, store, corpus
                    old.close()
                elif (
                    self.store.generation() != self.corpus.generation or self.corpus.lexical_behind
                ):
                    corpus = Corpus.load(self.store, self.corpus, merge=False)
                    self.corpus = saved.keep(corpus, self.store)
                else:
                    self._gone = None
                    return False
            except IndexBusy:
                raise
            except IndexMissing as e:
                self._gone = e
                raise
            except IndexProblem as e:
                try:
                    gone = self.store.replaced()
                except IndexMissing:
                    gone = True
                if gone:  # the loaded index is no longer the one on disk
                    self._gone = e
                raise
            self._gone = None
            return True

    def current(self) -> Corpus:
        """The corpus to answer from: the newest generation of the index now in the
        folder. Each call looks (a stat and one read of the generation), not only the
        watcher, so that a write by another process (another server worker, `qa index`)
        is answered from by the first question after it returns. Raises why there is no
        index to serve."""
        try:
            replaced = self.store.replaced()
        except IndexMissing as e:
            self._gone = e
            raise
        if replaced or self._gone is not None:
            self.refresh()
        elif self._behind():
            with contextlib.suppress(IndexProblem):  # as for the watcher: the last good
                self.refresh()  # generation is served, the failure told to on_error
        return self.corpus

    def _behind(self) -> bool:
        """Whether the store holds a newer generation than the one loaded."""
        with self._lock:  # the store's connection is the reloads' too
            try:
                return self.store.generation() != self.corpus.generation
            except IndexProblem:
                return False

    def problems(self) -> list[str]:
        """What is wrong between the loaded index and the one on disk; empty when they are
        the same and the file reads back sound (checked again only after it changed)."""
        try:
            self.refresh()
        except IndexProblem as e:
            return [str(e)]
        state = self.store.file_state()
        if self._verified is None or self._verified[0] != state:
            found = self.store.verify()
            self._verified = (state, [f"the index database is damaged: {p}" for p in found])
        return list(self._verified[1])

    def writable(self) -> bool:
        return self.store.writable()

    def watch(
        self,
        every: float = 1.0,
        on_error: Callable[[Exception], None] | None = None,
        on_reload: Callable[[float], None] | None = None,
    ) -> None:
        """Follow updates from other processes in a background thread (one at most).
        From then on every reload, by the thread or on a request, tells ``on_reload`` how
        many seconds it took, and every failed one tells ``on_error``. The thread also
        keeps the process's resident pages of the index files in bounds (memory.py)."""
        self._on_error, self._on_reload = on_error, on_reload
        if self._watcher and self._watcher.is_alive():
            return

        def loop() -> None:
            while not self._stop.wait(every):
                # A failure is told to on_error; the last good generation is served.
                with contextlib.suppress(Exception):
                    self.refresh()
                if file_resident_mb() > FILE_RESIDENT_MB:
                    drop_mapped_pages(self.store.dir)

        self._watcher = threading.Thread(target=loop, name="index-watcher", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        self.stop_merging()
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
        narrowed = corpus.narrowed(doc_ids)
        with self._narrow_lock:
            self._narrowed[key] = narrowed
            while len(self._narrowed) > NARROWED_KEPT:
                self._narrowed.popitem(last=False)
        return narrowed

    def documents(self, filters: Filters | None = None) -> list[StoredDocument]:
        """The articles ``filters`` allow, in the index's order, their texts left empty
        (``corpus.details``: a listing reads none); raises BadFilters for an outlet or
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
        """The answer, and how long each stage took."""
        corpus = self.current()  # one generation for the whole answer
        t0 = time.perf_counter()
        if filters and not filters.empty:
            allowed = tuple(filters.select(corpus.details))
            if not allowed:
                reason = f"no article matches the filters ({filters.describe()})"
                return Answer(question, None, False, 0.0, reason=reason), StageTimes(0, 0, 0)
            corpus = self._narrow(corpus, allowed)
        q = read_question(corpus, question, self.typer)
        query = self.embed_question(question)
        t1 = time.perf_counter()
        hits = retrieve(corpus, question, query, top_k=top_k, mode=mode)
        t2 = time.perf_counter()
        result = answer(corpus, q, query, hits, self.weights)
        return result, StageTimes(t1 - t0, t2 - t1, time.perf_counter() - t2)


__all__ = ["QA", "StageTimes"]
