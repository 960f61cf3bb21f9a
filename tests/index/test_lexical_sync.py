"""The store and its lexical index: each write reaches both, and a lexical index left
behind (a write that died between its two commits) is caught up, by the next write or by
a service starting."""

from index import IndexProblem, Store, parse, update
from index.lexical import LexicalIndex
from index.terms import lexical_terms
from qa import QA

from ..conftest import FakeEmbedder


def fails(*args, **kwargs):
    raise IndexProblem("the disk is full")


def found(store: Store, words: str) -> set[int]:
    return {c for c, _ in store.lexical().view().search(lexical_terms(words), 10)}


def chunk_ids(store: Store, doc_id: str) -> set[int]:
    return {r for (r,) in store._db.execute("SELECT rowid FROM chunks WHERE doc_id = ?", (doc_id,))}


def test_each_write_indexes_its_chunks_and_drops_the_replaced_ones(tmp_path):
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    update(store, [parse("Regatta\n\nA crew from Cork won the regatta.", "a")], FakeEmbedder)
    first = chunk_ids(store, "a")
    assert found(store, "regatta Cork") == first
    update(store, [parse("Regatta\n\nA crew from Kinsale won the regatta.", "a")], FakeEmbedder)
    assert found(store, "Cork") == set()
    assert found(store, "Kinsale") == chunk_ids(store, "a")
    assert not first & chunk_ids(store, "a")  # new ids: one never names two texts
    update(store, [], FakeEmbedder, deletes=["a"])
    assert found(store, "regatta") == set()
    assert store.lexical().committed_generation() == store.generation()
    store.close()


def test_a_lexical_index_left_behind_is_caught_up(tmp_path, monkeypatch):
    where = tmp_path / "index"
    store = Store(where, FakeEmbedder.name, FakeEmbedder.dim)
    update(store, [parse("Regatta\n\nA crew from Cork won the regatta.", "a")], FakeEmbedder)

    with monkeypatch.context() as m:
        m.setattr(LexicalIndex, "write", fails)
        update(
            store, [parse("Ferry strike\n\nFerry crews walked out over pay.", "b")], FakeEmbedder
        )
    assert store.generation() == 2  # the articles are stored...
    assert store.lexical().committed_generation() == 1  # ...their words not yet searchable
    assert found(store, "ferry") == set()
    store.close()

    qa = QA(where, embedder=FakeEmbedder())  # a service starting catches it up
    assert qa.corpus.lexical.generation == 2 and not qa.corpus.lexical_behind
    assert qa.ask("Why did the ferry crews walk out?").citations[0].doc_id == "b"
    qa.close()


def test_the_next_write_catches_up_a_lexical_index_left_behind(tmp_path, monkeypatch):
    store = Store(tmp_path / "index", FakeEmbedder.name, FakeEmbedder.dim)
    with monkeypatch.context() as m:
        m.setattr(LexicalIndex, "write", fails)
        update(store, [parse("Regatta\n\nA crew from Cork won the regatta.", "a")], FakeEmbedder)
    update(store, [parse("Ferry strike\n\nFerry crews walked out over pay.", "b")], FakeEmbedder)
    assert found(store, "regatta") == chunk_ids(store, "a")
    assert found(store, "ferry") == chunk_ids(store, "b")
    store.close()


def test_a_reader_sees_the_lexical_index_catch_up(tmp_path, monkeypatch):
    where = tmp_path / "index"
    store = Store(where, FakeEmbedder.name, FakeEmbedder.dim)
    update(store, [parse("Regatta\n\nA crew from Cork won the regatta.", "a")], FakeEmbedder)
    qa = QA(where, embedder=FakeEmbedder())
    with monkeypatch.context() as m:
        m.setattr(LexicalIndex, "write", fails)
        update(
            store, [parse("Ferry strike\n\nFerry crews walked out over pay.", "b")], FakeEmbedder
        )
    qa.refresh()
    assert qa.corpus.lexical_behind
    with store.writer():
        assert store.sync_lexical()
    assert qa.refresh() and not qa.corpus.lexical_behind
    assert "b" in {h.doc_id for h in qa.ask("ferry pay", mode="bm25").passages}
    qa.close()
    store.close()
