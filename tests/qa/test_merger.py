"""Merging in the background: reloads go on while a merge runs, and the merged segment,
swapped in after, holds what changed meanwhile as a corpus built afresh does."""

import threading

import pytest

from index import Store, update
from qa import QA, merger, merging
from qa.corpus import Corpus

from ..conftest import FakeEmbedder
from .test_segments import ARTICLES, same_answers, write


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    yield s
    s.close()


def notice(store: Store, n: int, extra: str = "") -> None:
    write(store, f"n{n}", f"Notice {n}\n\nThe town hall held meeting number {n} on Monday.{extra}")


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
    running, release = threading.Event(), threading.Event()
    real = merger.run

    def slow(job):
        running.set()
        release.wait(30)
        return real(job)

    monkeypatch.setattr(merger, "run", slow)
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
    finally:
        release.set()
        qa.close()
