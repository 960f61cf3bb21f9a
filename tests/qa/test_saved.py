"""Saved segments: a reader starting up opens what an earlier one built, answers exactly
as a corpus built from the store does, and reads from the store only what changed since;
a saved state that is not this index's, or does not open whole, is passed over."""

import json
import pickle
from dataclasses import replace

import numpy as np
import pytest

from index import Store
from qa import dense, memory, merging, saved, segment_files
from qa.corpus import Corpus
from qa.packed_articles import Texts
from qa.rowfile import RowFile

from ..conftest import FakeEmbedder
from .test_segments import ARTICLES, same_answers, write


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    yield s
    s.close()


def reopened(store: Store) -> Store:
    """The same index opened as a process starting up would."""
    return Store(store.dir, FakeEmbedder.name, FakeEmbedder.dim, create=False)


def test_a_saved_corpus_opens_mapped_and_answers_as_one_built_afresh(store):
    for doc_id in ("a", "b", "c"):
        write(store, doc_id, ARTICLES[doc_id])
    kept = saved.keep(Corpus.load(store), store)
    assert isinstance(kept.live[0].segment.sentence_vectors, RowFile)
    again = reopened(store)
    try:
        opened = saved.open_saved(again)
        assert opened is not None and opened.generation == store.generation()
        assert [p.segment.name for p in opened.live] == [p.segment.name for p in kept.live]
        same_answers(opened, Corpus.load(again))
        assert Corpus.load(again, opened) is opened  # nothing changed: nothing read
    finally:
        again.close()


def test_a_saved_segment_reads_its_articles_from_its_files(store):
    write(store, "a", ARTICLES["a"])
    write(store, "u", "Café Zürich\n\nThe café’s owner — Zoë — opened it.\n\nShe paid €12 for it.")
    built = Corpus.load(store)
    kept = saved.keep(built, store)
    segment = kept.live[0].segment
    assert isinstance(segment.documents, Texts)
    for doc_id in ("a", "u"):
        assert kept.documents[doc_id] == built.documents[doc_id]  # every field, text too
        assert kept.details[doc_id] == replace(built.documents[doc_id], text="", body=())
        assert np.array_equal(kept.doc_sentences[doc_id], built.doc_sentences[doc_id])
        assert kept.title_terms[doc_id] == built.title_terms[doc_id]
    assert built.documents["u"].body and "owner" in kept.title_terms["u"]
    # Not among the objects loaded whole when a segment opens: its files hold them.
    objects = (store.dir / saved.FOLDER / segment.name / "objects.pickle").read_bytes()
    assert (
        "paid €12".encode() not in objects
        and "paid €12".encode()
        in (store.dir / saved.FOLDER / segment.name / "texts.npy").read_bytes()
    )
    held = pickle.loads(objects)  # noqa: S301 (written by the test)
    assert "doc_sentences" not in held and "title_terms" not in held
    assert all(d.text == "" and d.body == () for d in held["details"].values())
    assert "u" in segment.documents and "x" not in segment.documents
    with pytest.raises(KeyError):
        segment.documents["x"]


def test_a_reader_starting_later_reads_only_what_changed_since_the_save(store):
    for doc_id in ("a", "b", "c", "d"):
        write(store, doc_id, ARTICLES[doc_id])
    saved.keep(Corpus.load(store), store)
    write(store, "e", "Ferry strike\n\nFerry crews walked out on Tuesday over pay.")
    write(store, "b", ARTICLES["b"] + " Divers checked the hull.")
    opened = saved.open_saved(store)
    assert opened is not None
    assert store.snapshot(since=opened.generation).changed == {"b", "e"}
    now = Corpus.load(store, opened)
    assert now.live[0].segment is opened.live[0].segment  # kept as opened
    same_answers(now, Corpus.load(store))
    assert "Divers" in now.documents["b"].text


def test_graph_segments_are_saved_with_their_graph(store, monkeypatch):
    monkeypatch.setattr(dense, "HNSW_ROWS", 1)
    for doc_id in ("a", "b", "c", "d"):
        write(store, doc_id, ARTICLES[doc_id])
    built = Corpus.load(store)
    saved.keep(built, store)
    opened = saved.open_saved(store)
    assert opened is not None
    assert opened.live[0].segment.dense.ntotal == built.live[0].segment.dense.ntotal > 0
    same_answers(opened, built)


def test_merged_away_segments_leave_the_folder(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    corpus = Corpus.load(store)
    for n in range(4):
        write(store, f"n{n}", f"Notice {n}\n\nThe town hall held meeting number {n} on Monday.")
        corpus = saved.keep(Corpus.load(store, corpus), store)
    folder = store.dir / saved.FOLDER
    names = {p.segment.name for p in corpus.live}
    assert {p.name for p in folder.iterdir() if p.is_dir()} == names
    manifest = json.loads((folder / saved.MANIFEST).read_text())
    assert {p["name"] for p in manifest["live"]} == names
    same_answers(saved.open_saved(store), Corpus.load(store))


def test_another_index_in_the_folder_is_not_answered_from_the_saved_segments(store):
    write(store, "a", ARTICLES["a"])
    saved.keep(Corpus.load(store), store)
    folder = store.dir / saved.FOLDER
    manifest = json.loads((folder / saved.MANIFEST).read_text())
    manifest["index"] = "another/" + manifest["index"]
    (folder / saved.MANIFEST).write_text(json.dumps(manifest))
    assert saved.open_saved(store) is None


def test_a_saved_segment_that_does_not_open_whole_is_passed_over(store, caplog):
    write(store, "a", ARTICLES["a"])
    kept = saved.keep(Corpus.load(store), store)
    vectors = store.dir / saved.FOLDER / kept.live[0].segment.name / "sentence_vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:100])  # cut short, as by a full disk
    assert saved.open_saved(store) is None
    assert "do not open" in caplog.text


def test_a_segment_that_cannot_be_saved_is_answered_from_memory(store, monkeypatch):
    write(store, "a", ARTICLES["a"])

    def full(*_):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(segment_files.faiss, "write_index", full)
    built = Corpus.load(store)
    assert saved.keep(built, store) is built
    assert saved.open_saved(store) is None
    assert not [p for p in (store.dir / saved.FOLDER).iterdir() if p.is_dir()]


def test_a_service_starting_again_opens_what_the_last_one_saved(store):
    from qa import QA

    for doc_id in ("a", "b", "c", "d"):
        write(store, doc_id, ARTICLES[doc_id])
    first = QA(store.dir, embedder=FakeEmbedder())
    answers = [first.ask(q) for q in ("Where did the storm shut the harbour?", "panda zoo")]
    names = [p.segment.name for p in first.corpus.live]
    first.close()
    again = QA(store.dir, embedder=FakeEmbedder())
    try:
        assert [p.segment.name for p in again.corpus.live] == names
        assert isinstance(again.corpus.live[0].segment.sentence_vectors, RowFile)
        assert [again.ask(q) for q in ("Where did the storm shut the harbour?", "panda zoo")] == (
            answers
        )
    finally:
        again.close()


def test_the_files_questions_read_are_listed_graph_before_texts(store):
    for doc_id in ("a", "b"):
        write(store, doc_id, ARTICLES[doc_id])
    kept = saved.keep(Corpus.load(store), store)
    files = saved.searched_files(kept, store)
    assert files and all(f.is_file() for f in files)
    folder = store.dir / saved.FOLDER / kept.live[0].segment.name
    names = [f.name for f in files if f.parent == folder]
    assert names[0] == "dense.faiss" and names[-1] == "texts.npy"
    assert set(names) == {p.name for p in folder.iterdir()} - {"objects.pickle"}
    assert any(f.parent == store.lexical().directory for f in files)


def test_a_saved_segment_holds_its_mappings_and_they_can_be_dropped(store):
    for doc_id in ("a", "b"):
        write(store, doc_id, ARTICLES[doc_id])
    assert not Corpus.load(store).live[0].segment.mapped  # built in memory
    saved.keep(Corpus.load(store), store)
    again = reopened(store)
    try:
        opened = saved.open_saved(again)
        assert opened is not None
        segment = opened.live[0].segment
        assert segment.mapped  # its array files, mapped
        before = [(s.start, s.end) for s in (segment.sentences[i] for i in range(3))]
        assert memory.drop_pages(segment.mapped) == sum(len(m) for m in segment.mapped)
        assert [(s.start, s.end) for s in (segment.sentences[i] for i in range(3))] == before
        same_answers(opened, Corpus.load(again))
    finally:
        again.close()
