"""Following an index folder while serving: a write by any process (another server
worker, `qa index`), or an index put in the folder's place, is picked up by building a new
corpus and swapping it in whole, so an answer never mixes old and new.

Only the process that owns the folder's saved segments (saved.Owner) saves and merges
them. Every other one adopts the segments the owner names in its manifest, as soon as it
names them, reusing those it has open, and builds in memory only what the owner has not
saved yet. So each process of `qa serve --workers N` searches the segments one merge made.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from index import IndexBusy, IndexMissing, IndexProblem, Store

from . import saved
from .building import loaded
from .corpus import Corpus
from .memory import FILE_RESIDENT_MB, drop_pages, file_resident_mb, give_back_memory
from .merger import Merging


class Following(Merging):
    """How a service (``QA``, service.py, which sets these attributes) follows its folder,
    and merges what it loads if it owns the folder."""

    store: Store
    corpus: Corpus
    _owner: saved.Owner
    _seen: tuple[int, int] | None  # the last manifest this process saved or looked at
    _lock: threading.Lock  # held while a generation is loaded or swapped
    _stop: threading.Event
    _watcher: threading.Thread | None
    _gone: IndexProblem | None  # why the loaded corpus may not be served
    _on_reload: Callable[[float], None] | None
    _on_error: Callable[[Exception], None] | None
    _verified: tuple[object, list[str]] | None  # (file state, problems)

    def refresh(self) -> bool:
        """Load the newest generation if the stored index has moved on, or the index now
        in the folder if it was replaced; True if either. A folder whose index is gone or
        cannot be loaded raises, and answers stop until it is back."""
        start = time.perf_counter()
        try:
            reloaded, in_pieces = self._reload()
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
            if in_pieces:  # an index put in the folder's place, built from nothing
                self.join_pieces()
            else:
                self.merge_later()
        return reloaded

    def _reload(self) -> tuple[bool, bool]:
        """Whether a new corpus was loaded, and whether it was built in pieces."""
        in_pieces = False
        with self._lock:
            try:
                if self.store.replaced():
                    store = Store(self.store.dir, self.store.model, self.store.dim, create=False)
                    # The folder's lock file now (another, or the same if only the database
                    # was put in place: released first, as a lock held is held against it).
                    self._owner.release()
                    self._owner = saved.Owner(store.dir)
                    try:
                        corpus, in_pieces = loaded(store, lambda c: self._kept(c, store))
                    except BaseException:
                        store.close()
                        raise
                    old, self.store, self.corpus = self.store, store, corpus
                    old.close()
                elif self._moved_on():
                    previous = self._adopted() or self.corpus
                    corpus = self._kept(Corpus.load(self.store, previous, merge=False))
                    if corpus is self.corpus:  # nothing new after all
                        self._gone = None
                        return False, False
                    self.corpus = corpus
                else:
                    self._gone = None
                    return False, False
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
            return True, in_pieces

    def _kept(self, corpus: Corpus, store: Store | None = None) -> Corpus:
        """``corpus`` with its segments saved and named in the manifest, if this process
        owns the folder; as it is if not."""
        store = store or self.store
        if not self._owner.owns():
            return corpus
        kept = saved.keep(corpus, store)
        self._seen = saved.stamp(store.dir)
        return kept

    def _adopted(self) -> Corpus | None:
        """For a process that does not own the folder: the corpus the owner's newest
        manifest names, reusing the segments open here; None if there is none, or it was
        looked at already. One behind the loaded generation is taken too (the manifest
        of a merge names the generation the merge began at): what was written since is
        read again, and the segments this process built for it alone go."""
        stamp = saved.stamp(self.store.dir)
        if self._owner.owns() or stamp is None or stamp == self._seen:
            return None
        self._seen = stamp
        opened = {p.segment.name: p.segment for p in self.corpus.live}
        return saved.open_saved(self.store, reuse=opened)

    def _moved_on(self) -> bool:
        return self._behind_locked() or self.corpus.lexical_behind

    def _behind_locked(self) -> bool:
        """Whether the store holds a newer generation than the one loaded, or (for a
        process that does not own the folder) the owner has named other segments since
        this process last looked (hold the lock)."""
        return self.store.generation() != self.corpus.generation or (
            saved.stamp(self.store.dir) != self._seen and not self._owner.owns()
        )

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
        with self._lock:  # the store's connection is the reloads' too
            try:
                return self._behind_locked()
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

    def bound_mapped_pages(self) -> None:
        """Past FILE_RESIDENT_MB of resident file-backed memory, drop this process's pages
        of the served segments' array files (memory.py). Called after every answer as well
        as by the watcher: a page a question touches maps its whole folio of the page
        cache, and at 1M chunks a second of questions mapped over a GB between the
        watcher's looks. The dense graphs (FAISS maps them itself) stay resident."""
        if file_resident_mb() > FILE_RESIDENT_MB:
            corpus = self.corpus  # held: its segments' files stay mapped while advised
            drop_pages(m for part in corpus.live for m in part.segment.mapped)

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
            owned = self._owner.owns()
            while not self._stop.wait(every):
                # A failure is told to on_error; the last good generation is served.
                with contextlib.suppress(Exception):
                    self.refresh()
                # When the process that owned the folder ends, one that follows it takes
                # over here (or at its next reload), and merges and saves from then on.
                owned, was = self._owner.owns(), owned
                if owned and not was:
                    self.merge_later()
                self.bound_mapped_pages()

        self._watcher = threading.Thread(target=loop, name="index-watcher", daemon=True)
        self._watcher.start()
