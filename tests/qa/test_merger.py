"""Merging in the background: reloads go on while a merge runs, and the merged segment,
swapped in after, holds what changed meanwhile as a corpus built afresh does."""

import gc
import shutil
import threading
import time
import weakref

import numpy as np
import pytest

from index import Store, update
from qa import QA, building, merger, merging, saved
from qa.corpus import Corpus
from qa.merging import next_ids
from qa.packed_articles import Texts
from qa.rowfile import RowFile

from ..conftest import FakeEmbedder
from .test_segments import ARTICLES, same_answers, write


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    yield s
    s.close()


def notice(store: Store, n: int, extra: str = "") -> None:
    write(store, f"n{n}", f"Notice {n}\n\nThe town hall held meeting number {n} on Monday.{extra}")


def another_index_in_place(store: Store) -> Store:
    """Another index put in ``store``'s folder (a rebuild, a restore), with nothing saved;
    the caller closes it."""
    shutil.rmtree(store.dir)
    other = Store(store.dir, FakeEmbedder.name, FakeEmbedder.dim)
    for doc_id, text in ARTICLES.items():
        write(other, doc_id, text)
    return other


def held_merges(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Merges made to wait: the first event is set when one begins, and it goes on once
    the second is set."""
    running, release = threading.Event(), threading.Event()
    real = merger.run

    def held(job, *rest):
        running.set()
        release.wait(30)
        return real(job, *rest)

    monkeypatch.setattr(merger, "run", held)
    return running, release


def test_a_merge_swapped_in_after_writes_holds_them_as_a_fresh_corpus_does(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    corpus = Corpus.load(store)
    for n in range(0, 6, 2):  # three segments of two articles
        notice(store, n)
        notice(store, n + 1)
        corpus = Corpus.load(store, corpus, merge=False)
    assert len(corpus.live) == 3
    planned = merger.plan(corpus)
    assert planned is not None
    corpus, job = planned
    # While it runs: a new article, one of the merged replaced and one deleted.
    write(store, "d", ARTICLES["d"])
    notice(store, 0, " It ran late.")
    update(store, [], FakeEmbedder, deletes=["n3"])
    corpus = Corpus.load(store, corpus, merge=False)
    swapped = merger.swap_in(corpus, job, merger.run(job))
    assert swapped is not None and len(swapped.live) == 2
    same_answers(swapped, Corpus.load(store))
    ranges = [(p.segment.first_chunk, p.segment.end_chunk) for p in swapped.live]
    assert all(a[1] <= b[0] for a, b in zip(ranges, ranges[1:], strict=False))  # no id twice


def test_a_merge_whose_segments_died_meanwhile_is_dropped(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)
    corpus = Corpus.load(store)
    for n in range(2):
        notice(store, n)
        corpus = Corpus.load(store, corpus, merge=False)
    planned = merger.plan(corpus)
    assert planned is not None
    corpus, job = planned
    update(store, [], FakeEmbedder, deletes=["n0"])  # its segment goes with it
    corpus = Corpus.load(store, corpus, merge=False)
    assert merger.swap_in(corpus, job, merger.run(job)) is None


def test_a_service_takes_in_new_articles_while_a_merge_runs(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    running, release = held_merges(monkeypatch)
    qa = QA(store.dir, embedder=FakeEmbedder())
    try:
        for n in range(3):
            notice(store, n)
            qa.refresh()
        assert running.wait(10)  # three segments of one tier: a merge began
        write(store, "d", ARTICLES["d"])
        assert qa.refresh()  # not held back by the merge
        assert "d" in qa.corpus.documents and len(qa.corpus.live) == 4
        release.set()
        qa.merged()
        assert len(qa.corpus.live) == 2
        same_answers(qa.corpus, Corpus.load(store))
        # Its sentence vectors went through a scratch file into its saved folder.
        folder = store.dir / saved.FOLDER
        assert any(
            (folder / p.segment.name / "sentence_vectors.npy").exists() for p in qa.corpus.live
        )
        assert not list(folder.glob(f"{saved.SCRATCH}*"))
    finally:
        release.set()
        qa.close()


def test_a_merge_writes_the_sentence_vectors_to_the_file_given(store, tmp_path, monkeypatch):
    monkeypatch.setattr(merging, "VECTOR_SLICE", 2)  # several slices a part
    corpus = Corpus.load(store)
    for batch in ((0, 1), (2,), (3,)):
        for n in batch:
            notice(store, n, " The mayor spoke. Then the council voted.")
        corpus = Corpus.load(store, corpus, merge=False)
    notice(store, 1, " It was moved.")  # a dead article in the first part
    corpus = Corpus.load(store, corpus, merge=False)
    assert len(corpus.live) == 4 and corpus.live[0].dead == {"n1"}
    ids = next_ids(corpus.live)
    in_memory = merging.merge(list(corpus.live), *ids)
    on_disk = merging.merge(list(corpus.live), *ids, tmp_path / "vectors.npy")
    assert isinstance(on_disk.sentence_vectors, RowFile)
    assert np.load(tmp_path / "vectors.npy").dtype == np.float16
    assert np.array_equal(np.load(tmp_path / "vectors.npy"), in_memory.sentence_vectors)
    # The oracle: each live sentence's vector where the parts held it.
    want = [
        np.asarray(p.segment.sentence_vectors[i - p.segment.first_sentence])
        for p in corpus.live
        for d in p.segment.documents
        if d not in p.dead
        for i in p.segment.doc_sentences[d].tolist()
    ]
    assert np.array_equal(in_memory.sentence_vectors, np.stack(want))


def test_a_big_merge_runs_in_a_process_of_its_own(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    monkeypatch.setattr(merger, "PROCESS_CHUNKS", 0)  # every merge counts as big

    def not_here(*args):
        raise AssertionError("merged in the server's process")

    monkeypatch.setattr(merger, "run", not_here)  # the merging process imports its own
    qa = QA(store.dir, embedder=FakeEmbedder())
    try:
        for n in range(3):
            notice(store, n)
            qa.refresh()
        qa.merged()
        assert len(qa.corpus.live) == 1
        same_answers(qa.corpus, Corpus.load(store))
        assert isinstance(qa.corpus.live[0].segment.sentence_vectors, RowFile)  # saved
        assert not list((store.dir / saved.FOLDER).glob(f"{saved.SCRATCH}*"))
    finally:
        qa.close()


def test_a_service_built_from_nothing_joins_its_pieces(store, monkeypatch):
    monkeypatch.setattr(building, "PIECE_CHUNKS", 2)  # a piece of two chunks at most
    for doc_id, text in ARTICLES.items():
        write(store, doc_id, text)
    assert len(building.build_in_pieces(store).live) > 1  # fewer than a tier merges
    shutil.rmtree(store.dir / saved.FOLDER)  # nothing saved: the service builds in pieces
    qa = QA(store.dir, embedder=FakeEmbedder())
    try:
        qa.merged()
        assert len(qa.corpus.live) == 1
        same_answers(qa.corpus, Corpus.load(store))
    finally:
        qa.close()


def test_an_index_put_in_the_folders_place_is_joined_from_its_pieces(store, monkeypatch):
    monkeypatch.setattr(building, "PIECE_CHUNKS", 2)
    notice(store, 0)
    qa = QA(store.dir, embedder=FakeEmbedder())
    try:
        other = another_index_in_place(store)
        try:
            assert qa.refresh()
            qa.merged()
            assert len(qa.corpus.live) == 1
            same_answers(qa.corpus, Corpus.load(other))
        finally:
            other.close()
    finally:
        qa.close()


def test_segments_merged_away_are_freed_without_the_cyclic_collector(store, monkeypatch):
    # A segment held in a reference cycle stays in memory until a full collection, which
    # a server holding millions of objects runs rarely: at 1M chunks, GBs held on.
    # Nothing merges until the segments are held: a merge finished before that would
    # leave only the merged segment to watch.
    monkeypatch.setattr(merging, "MERGE_FACTOR", 100)
    # A merge thread goes on after it swaps its result in: merged() waits for it to return.
    monkeypatch.setattr(merger, "give_back_memory", lambda: time.sleep(0.2))
    qa = QA(store.dir, embedder=FakeEmbedder())
    gc.collect()
    gc.disable()
    try:
        for n in range(3):
            notice(store, n)
            qa.refresh()
            qa.ask(f"Which meeting did the town hall hold? {n}")  # reads the articles
        assert len(qa.corpus.live) == 3
        assert all(isinstance(p.segment.documents, Texts) for p in qa.corpus.live)
        held = [
            weakref.ref(x)
            for p in qa.corpus.live
            for x in (p.segment, *vars(p.segment).values())
            if type(x).__weakrefoffset__
        ]
        monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
        qa.merge_later()
        deadline = time.monotonic() + 60
        while len(qa.corpus.live) > 1 and time.monotonic() < deadline:
            time.sleep(0.01)  # swapped in, and its thread not yet returned (the sleep above)
        qa.merged()
        assert len(qa.corpus.live) == 1
        assert [type(x()).__name__ for x in held if x() is not None] == []
    finally:
        gc.enable()
        qa.close()


def test_an_index_put_in_place_during_a_merge_is_joined_after_it(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 2)
    monkeypatch.setattr(building, "PIECE_CHUNKS", 2)
    running, release = held_merges(monkeypatch)
    notice(store, 0)
    qa = QA(store.dir, embedder=FakeEmbedder())
    try:
        notice(store, 1)
        qa.refresh()
        assert running.wait(30)  # merging the two segments
        other = another_index_in_place(store)
        try:
            assert qa.refresh()  # built in pieces, while the old merge still runs
            release.set()
            qa.merged()
            assert len(qa.corpus.live) == 1
            same_answers(qa.corpus, Corpus.load(other))
        finally:
            other.close()
    finally:
        release.set()
        qa.close()
