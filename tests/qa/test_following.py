"""Processes of one index folder (the workers of `qa serve --workers N`): only the first
to start saves and merges its segments; the others adopt what it names, answer as a
corpus built afresh does, and one of them takes over when it ends."""

import fcntl
import json
import threading

import pytest

from index import Store
from qa import QA, building, merging, saved
from qa.corpus import Corpus

from ..conftest import FakeEmbedder
from .test_merger import notice
from .test_segments import same_answers


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    yield s
    s.close()


@pytest.fixture
def two(store):
    """Two processes of one folder, as two workers would be: the first to start owns it."""
    notice(store, 0)
    owner = QA(store.dir, embedder=FakeEmbedder())
    other = QA(store.dir, embedder=FakeEmbedder())
    yield owner, other
    other.close()
    owner.close()


def names(qa: QA) -> list[str]:
    return [p.segment.name for p in qa.current().live]


def manifest(store: Store) -> list[str]:
    text = (store.dir / saved.FOLDER / saved.MANIFEST).read_text()
    return [p["name"] for p in json.loads(text)["live"]]


def folders(store: Store) -> set[str]:
    return {p.name for p in (store.dir / saved.FOLDER).iterdir() if p.is_dir()}


def test_only_the_owner_saves_and_merges_and_the_other_adopts_its_segments(store, monkeypatch, two):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    owner, other = two
    for n in (1, 2):
        notice(store, n)
        other.refresh()  # the other one first: it builds what the owner has not saved
        owner.refresh()
    owner.merged()
    assert len(owner.corpus.live) == 1  # three segments of one tier, merged
    assert other._merging is None  # it never merged
    # No write since: the other one sees the owner's new manifest and adopts it.
    assert names(other) == names(owner) == manifest(store)
    assert folders(store) == set(manifest(store))  # the other one saved nothing
    same_answers(other.current(), Corpus.load(store))


def test_another_process_takes_over_when_the_owner_ends(store, two):
    owner, other = two
    notice(store, 1)
    other.refresh()
    assert len(manifest(store)) == 1  # the owner has not loaded the write yet
    owner.close()
    notice(store, 2)
    other.refresh()
    assert names(other) == manifest(store)
    assert len(manifest(store)) == 3  # the other one saves now
    same_answers(other.current(), Corpus.load(store))


def test_a_process_that_adopts_keeps_the_segments_it_has_open(store, two):
    owner, other = two
    first = other.current().live[0].segment
    notice(store, 1)
    owner.refresh()
    other.refresh()
    assert names(other) == manifest(store)
    assert other.current().live[0].segment is first  # not opened again


def test_a_process_starting_while_the_owner_builds_opens_what_it_saved(store, monkeypatch):
    for n in range(3):
        notice(store, n)
    builds = []
    real = building.build_in_pieces
    monkeypatch.setattr(building, "build_in_pieces", lambda s: builds.append(1) or real(s))
    owner = saved.Owner(store.dir)
    assert owner.owns()  # as the first worker to start would
    started: list[QA] = []
    with saved.building(store.dir):
        other = threading.Thread(target=lambda: started.append(QA(store.dir, FakeEmbedder())))
        other.start()
        other.join(0.5)
        assert other.is_alive()  # it waits rather than build the same
        kept = saved.keep(building.build_in_pieces(store), store)
    other.join(30)
    try:
        assert len(builds) == 1  # the owner's only
        assert names(started[0]) == [p.segment.name for p in kept.live] == manifest(store)
    finally:
        started[0].close()
        owner.release()


def test_the_owner_saves_its_manifest_once_another_process_has_read_it(store):
    notice(store, 0)
    owner = QA(store.dir, embedder=FakeEmbedder())
    try:
        notice(store, 1)
        with saved._locked(store.dir / saved.FOLDER, fcntl.LOCK_SH):  # a reader, elsewhere
            refreshing = threading.Thread(target=owner.refresh)
            refreshing.start()
            refreshing.join(0.3)
            assert refreshing.is_alive()  # it waits, rather than leave the manifest behind
        refreshing.join(30)
        text = (store.dir / saved.FOLDER / saved.MANIFEST).read_text()
        assert json.loads(text)["generation"] == store.generation()
        assert manifest(store) == names(owner)
    finally:
        owner.close()


def test_a_process_adopts_a_manifest_behind_it_and_catches_up(store, two):
    owner, other = two
    earlier = Corpus.load(store)  # a segment of its own, at the first generation
    notice(store, 1)
    other.refresh()
    # The owner names that generation (as a merge's manifest names the one it began at).
    saved.keep(earlier, store)
    other.refresh()
    assert manifest(store)[0] in names(other)
    same_answers(other.current(), Corpus.load(store))


def test_a_closed_service_never_takes_the_folder_again(store):
    notice(store, 0)
    closed = QA(store.dir, embedder=FakeEmbedder())
    closed.close()
    assert not closed._owner.owns()
    again = saved.Owner(store.dir)
    try:
        assert again.owns()
    finally:
        again.release()
