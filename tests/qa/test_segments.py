"""Segments: a refresh reads only what changed, and answers exactly as a corpus loaded
afresh does (the oracle); small segments are merged; graph search finds what a scan finds."""

import json
import os
import signal

import numpy as np
import pytest

from index import Store, parse, update
from qa import building, dense, merging, retrieve, segments
from qa.corpus import Corpus
from qa.rowfile import RowFile

from ..conftest import ROOT, FakeEmbedder

ARTICLES = {
    "a": "Storm shuts harbour\n\nA violent storm shut the harbour at Port Elin on Monday. "
    "Fishing boats stayed at their moorings for three days.",
    "b": "Harbour reopens\n\nThe harbour at Port Elin reopened on Thursday after the storm. "
    "Officials said the storm damaged two piers.",
    "c": "Council budget\n\nThe council approved 2 million euros for the harbour repairs.",
    "d": "Panda arrives\n\nA giant panda arrived at the city zoo from Chengdu on Friday.",
}
QUESTIONS = ["storm harbour Port Elin", "How much for the repairs?", "panda zoo", "piers damaged"]


def write(store: Store, doc_id: str, text: str) -> None:
    update(store, [parse(text, doc_id)], FakeEmbedder)


def same_answers(a: Corpus, b: Corpus) -> None:
    """``a`` and ``b`` hold the same articles and rank every question the same."""
    assert a.generation == b.generation
    assert {d: doc.text for d, doc in a.documents.items()} == {
        d: doc.text for d, doc in b.documents.items()
    }
    assert a.chunk_count == b.chunk_count
    embedder = FakeEmbedder()
    for question in QUESTIONS:
        query = embedder.embed([question])[0]
        for mode in ("dense", "bm25", "hybrid"):
            got = [(h.doc_id, h.chunk_id, h.text) for h in retrieve(a, question, query, 10, mode)]
            want = [(h.doc_id, h.chunk_id, h.text) for h in retrieve(b, question, query, 10, mode)]
            assert got == want, (question, mode)
        for word in question.lower().split():
            assert a.idf(word) == b.idf(word)
    for doc_id in a.documents:
        texts = [a.text(a.sentences[i]) for i in a.doc_sentences[doc_id].tolist()]
        assert texts == [b.text(b.sentences[i]) for i in b.doc_sentences[doc_id].tolist()]
        assert sentence_rows(a, doc_id) == sentence_rows(b, doc_id)
        assert chunk_rows(a, doc_id) == chunk_rows(b, doc_id)
    for prefix in ("h", "st", "p", "2"):
        assert a.words_with_prefix(prefix) == b.words_with_prefix(prefix)
        assert a.terms_with_prefix(prefix) == b.terms_with_prefix(prefix)
    assert a.has_number("2") == b.has_number("2")


def sentence_rows(c: Corpus, doc_id: str) -> list:
    """What ``c`` holds for each of the article's sentences, told without ids."""
    out = []
    for i in c.doc_sentences[doc_id].tolist():
        first = c.chunks[int(c.sentence_chunk[i])]
        out.append(
            (
                c.text(c.sentences[i]),
                c.sentence_terms[i],
                c.entity_spans[i],
                np.asarray(c.sentence_vectors[i]).tobytes(),
                (first.doc_id, first.ordinal),
            )
        )
    return out


def chunk_rows(c: Corpus, doc_id: str) -> list:
    """Each of the article's chunks with the texts of the sentences it overlaps."""
    return [
        (c.text(c.chunks[cid]), [c.text(c.sentences[i]) for i in c.chunk_sentences[cid].tolist()])
        for cid in (c.chunk_id(doc_id, k) for k in range(c.documents[doc_id].chunks))
    ]


@pytest.fixture
def store(tmp_path):
    s = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    yield s
    s.close()


def test_a_refreshed_corpus_answers_as_one_loaded_afresh(store):
    corpus = Corpus.load(store)
    steps = [
        lambda: write(store, "a", ARTICLES["a"]),
        lambda: write(store, "b", ARTICLES["b"]),
        lambda: write(store, "c", ARTICLES["c"]),
        lambda: write(store, "a", ARTICLES["a"] + " The coast road flooded too."),  # replaced
        lambda: update(store, [], FakeEmbedder, deletes=["b"]),
        lambda: write(store, "e", ARTICLES["a"]),  # a reprint of a
        lambda: write(store, "d", ARTICLES["d"]),
        lambda: update(store, [], FakeEmbedder, deletes=["a"]),  # e is no longer a reprint
    ]
    for step in steps:
        step()
        corpus = Corpus.load(store, corpus)
        same_answers(corpus, Corpus.load(store))
    assert corpus.documents["e"].duplicate_of is None


def test_a_refresh_reads_and_builds_only_the_changed_articles(store):
    for doc_id in ("a", "b", "c", "d"):
        write(store, doc_id, ARTICLES[doc_id])
    before = Corpus.load(store)
    write(store, "e", "Ferry strike\n\nFerry crews walked out on Tuesday over pay.")
    write(store, "b", ARTICLES["b"] + " Divers checked the hull.")
    snap = store.snapshot(since=before.generation)
    assert snap.changed == {"b", "e"}
    assert {d.doc_id for d in snap.documents} == {"b", "e"}
    after = Corpus.load(store, before)
    assert after.live[0].segment is before.live[0].segment  # kept, not rebuilt
    assert after.live[0].dead == {"b"}
    assert set(after.live[-1].segment.documents) == {"b", "e"}
    assert "Divers" in after.documents["b"].text
    assert Corpus.load(store, after) is after  # nothing new: the same corpus


def test_small_segments_are_merged_by_size_tier(store, monkeypatch):
    monkeypatch.setattr(merging, "MERGE_FACTOR", 3)
    corpus = Corpus.load(store)
    for n in range(7):
        write(store, f"n{n}", f"Notice {n}\n\nThe town hall held meeting number {n} on Monday.")
        corpus = Corpus.load(store, corpus)
        assert merging.merge_policy(corpus.live) == []  # no tier is left full
    assert len(corpus.live) == 3  # tiers of 1 and 3 chunks: 1 + 3 + 3
    same_answers(corpus, Corpus.load(store))
    assert len(corpus.documents) == 7


def test_a_segment_mostly_dead_is_rewritten_without_its_dead_rows(store):
    for doc_id in ("a", "b", "c", "d"):
        write(store, doc_id, ARTICLES[doc_id])
    corpus = Corpus.load(store)
    update(store, [], FakeEmbedder, deletes=["a", "b"])
    corpus = Corpus.load(store, corpus)
    assert all(not p.dead for p in corpus.live)
    assert set(corpus.live[0].segment.documents) == {"c", "d"}
    same_answers(corpus, Corpus.load(store))


def test_a_reader_the_change_log_no_longer_reaches_loads_everything(store, monkeypatch):
    import index.store

    write(store, "a", ARTICLES["a"])
    old = Corpus.load(store)
    monkeypatch.setattr(index.store, "CHANGE_LOG_GENERATIONS", 1)
    write(store, "b", ARTICLES["b"])
    write(store, "c", ARTICLES["c"])
    assert store.changed_since(old.generation) is None
    fresh = Corpus.load(store, old)
    assert fresh.live[0].segment is not old.live[0].segment
    same_answers(fresh, Corpus.load(store))


def test_graph_search_finds_what_a_scan_finds_on_real_vectors(seed_index, real_embedder):
    store = Store(seed_index, real_embedder.name, real_embedder.dim, create=False)
    exact = Corpus.load(store)
    old = dense.HNSW_ROWS
    dense.HNSW_ROWS = 1  # every segment searched through its graph
    try:
        graph = Corpus.load(store)
    finally:
        dense.HNSW_ROWS = old
        store.close()
    assert isinstance(graph.live[0].segment.dense, segments.faiss.IndexHNSW)
    lines = (ROOT / "eval" / "questions.jsonl").read_text().splitlines()
    questions = [json.loads(line)["question"] for line in lines]
    queries = real_embedder.embed(questions)
    some = sorted(exact.documents)[:3]
    found = total = 0
    for query in queries:
        for a, b in ((exact, graph), (exact.narrowed(some), graph.narrowed(some))):
            want = set(a.nearest_chunks(query, 10))
            found += len(want & set(b.nearest_chunks(query, 10)))
            total += len(want)
    assert found / total >= 0.95
    assert np.isclose(graph.idf("storm"), exact.idf("storm"))


def test_rows_taken_together_are_the_rows_read_one_by_one(store):
    for doc_id in ("a", "b", "c"):
        write(store, doc_id, ARTICLES[doc_id])
    corpus = Corpus.load(store)
    write(store, "d", ARTICLES["d"])
    write(store, "b", ARTICLES["b"] + " Divers checked the hull.")  # b's old rows die
    corpus = Corpus.load(store, corpus)
    assert len(corpus.live) == 2  # ids run across two segments
    live = [int(i) for d in corpus.documents for i in corpus.doc_sentences[d].tolist()]
    ids = np.array(live[::-1] + live[:2], dtype=np.int64)  # across segments, out of order
    want = np.stack([corpus.sentence_vectors[i] for i in ids.tolist()])
    assert np.array_equal(corpus.sentence_vectors.take(ids), want)
    assert corpus.sentence_vectors.take(np.zeros(0, np.int64)).shape == (0, want.shape[1])
    with pytest.raises(IndexError):
        corpus.sentence_vectors.take(np.array([0, len(corpus.sentence_vectors)]))


def test_a_corpus_built_in_pieces_answers_as_one_built_whole(store, monkeypatch):
    monkeypatch.setattr(building, "PIECE_CHUNKS", 2)
    for doc_id, text in ARTICLES.items():
        write(store, doc_id, text)
    pieces = building.build_in_pieces(store)
    assert len(pieces.live) > 1
    assert all(isinstance(p.segment.sentence_vectors, RowFile) for p in pieces.live)  # saved
    same_answers(pieces, Corpus.load(store))


def test_a_big_archive_is_built_by_a_process_of_its_own(store, monkeypatch):
    monkeypatch.setattr(building, "APART_CHUNKS", 0)  # every archive counts as big

    def not_here(*args):
        raise AssertionError("built in the server's process")

    monkeypatch.setattr(segments.Segment, "build", not_here)  # the process imports its own
    for doc_id, text in ARTICLES.items():
        write(store, doc_id, text)
    apart = building.build_in_pieces(store)
    assert apart.generation == store.generation()
    assert all(isinstance(p.segment.sentence_vectors, RowFile) for p in apart.live)  # saved
    monkeypatch.undo()
    same_answers(apart, Corpus.load(store))


def test_an_archive_that_cannot_be_built_apart_is_built_here(store, monkeypatch):
    monkeypatch.setattr(building, "APART_CHUNKS", 0)
    monkeypatch.setattr(building, "_build_apart", print)  # answers None: the process failed
    for doc_id, text in ARTICLES.items():
        write(store, doc_id, text)
    same_answers(building.build_in_pieces(store), Corpus.load(store))


def _ends_by_signal(*args):
    os.kill(os.getpid(), signal.SIGTERM)


def test_an_archive_whose_building_process_is_ended_by_a_signal_is_not_built(store, monkeypatch):
    monkeypatch.setattr(building, "APART_CHUNKS", 0)
    monkeypatch.setattr(building, "_build_apart", _ends_by_signal)  # as Ctrl-C would
    write(store, "a", ARTICLES["a"])
    with pytest.raises(building.Stopped):
        building.build_in_pieces(store)


def test_an_archive_in_a_folder_it_cannot_save_to_is_built_here_at_once(store, monkeypatch):
    monkeypatch.setattr(building, "APART_CHUNKS", 0)
    monkeypatch.setattr(building, "_writable", lambda folder: False)

    def not_apart(store):
        raise AssertionError("built apart, to be built again here")

    monkeypatch.setattr(building, "_built_apart", not_apart)
    write(store, "a", ARTICLES["a"])
    same_answers(building.build_in_pieces(store), Corpus.load(store))


def test_the_pieces_are_read_from_one_generation(store):
    for doc_id in ("a", "b", "c"):
        write(store, doc_id, ARTICLES[doc_id])
    pieces = store.snapshot_pieces(1)
    first = next(pieces)
    other = Store(store.dir, FakeEmbedder.name, FakeEmbedder.dim)
    write(other, "d", ARTICLES["d"])  # written while the pieces are read
    other.close()
    read = [first, *pieces]
    assert len(read) == 3 and {p.generation for p in read} == {first.generation}
    assert [d.doc_id for p in read for d in p.documents] == ["a", "b", "c"]
