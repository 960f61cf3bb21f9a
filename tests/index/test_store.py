"""The stored index: one transaction and one generation per update, reprints, the write lock."""

import sqlite3

import pytest

from index import IndexBusy, IndexMismatch, Store, parse, update
from index.store import MANIFEST_FILE

WIRE = (
    "A ferry sank off the coast of Lamu on Sunday. Twelve passengers were rescued by "
    "fishermen. The ferry was built in 1988.\n\nThe port authority opened an inquiry into "
    "the accident. Divers will search the wreck on Tuesday."
)
ARTICLES = {
    "a-wire": "Ferry sinks\n\n" + WIRE,
    "b-reprint": "Ferry sinks off Lamu\n\n" + WIRE,
    "c-other": "Lamu ferry disaster\n\nRescuers said fourteen passengers were rescued by "
    "fishermen after the ferry sank off Lamu.\n\nThe governor visited the harbour on Monday "
    "and praised the fishermen.",
    "d-reprint": "Lamu: ferry sinks\n\n" + WIRE + " Reporting by the Coast Desk team today.",
}


@pytest.fixture
def store(tmp_path, fake_embedder):
    s = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    yield s
    s.close()


def put(store, embedder, *doc_ids, texts=ARTICLES):
    return update(store, [parse(texts[d], d) for d in doc_ids], lambda: embedder)


def stored_texts(store):
    return {d.doc_id: d.text for d in store.documents()}


def orphan_vectors(store) -> int:
    db = sqlite3.connect(store.dir / "index.sqlite3")
    (n,) = db.execute(
        "SELECT COUNT(*) FROM vectors WHERE hash NOT IN (SELECT hash FROM chunks) "
        "AND hash NOT IN (SELECT hash FROM sentences)"
    ).fetchone()
    db.close()
    return n


def duplicates(store):
    return {d.doc_id: d.duplicate_of for d in store.documents()}


def test_each_update_is_one_generation_and_reads_back_exactly(store, fake_embedder):
    assert put(store, fake_embedder, "a-wire").generation == 1
    assert put(store, fake_embedder, "c-other", "b-reprint").generation == 2
    assert stored_texts(store) == {d: ARTICLES[d] for d in ("a-wire", "b-reprint", "c-other")}
    assert update(store, [], lambda: fake_embedder, deletes=["c-other", "nope"]).removed == [
        "c-other"
    ]
    assert store.generation() == 3

    calls = len(fake_embedder.calls)
    again = put(store, fake_embedder, "a-wire", "b-reprint")
    assert (again.unchanged, again.generation, len(fake_embedder.calls)) == (
        ["a-wire", "b-reprint"],
        3,
        calls,
    )


def test_replacing_an_article_embeds_only_its_new_texts_and_drops_unused_vectors(
    store, fake_embedder
):
    put(store, fake_embedder, "a-wire")
    edited = {"a-wire": ARTICLES["a-wire"].replace("Divers will search", "Divers searched")}
    report = put(store, fake_embedder, "a-wire", texts=edited)
    # The changed sentence, its paragraph's chunk: two new texts; the rest came from the cache.
    assert (report.updated, report.embedded) == (["a-wire"], 2)
    assert stored_texts(store) == edited
    assert orphan_vectors(store) == 0


def test_a_reprint_is_a_duplicate_of_the_first_even_in_the_same_update(store, fake_embedder):
    put(store, fake_embedder, "a-wire", "c-other", "b-reprint")
    assert duplicates(store) == {"a-wire": None, "b-reprint": "a-wire", "c-other": None}


def test_replacing_the_original_keeps_it_the_original(store, fake_embedder):
    put(store, fake_embedder, "a-wire")
    put(store, fake_embedder, "b-reprint")
    fixed = {"a-wire": ARTICLES["a-wire"].replace("Sunday", "Saturday")}
    put(store, fake_embedder, "a-wire", texts=fixed)
    assert duplicates(store) == {"a-wire": None, "b-reprint": "a-wire"}


def test_deleting_the_original_makes_the_next_reprint_the_original(store, fake_embedder):
    for doc_id in ("a-wire", "b-reprint", "c-other", "d-reprint"):
        put(store, fake_embedder, doc_id)
    assert duplicates(store)["d-reprint"] == "a-wire"
    update(store, [], lambda: fake_embedder, deletes=["a-wire"])
    assert duplicates(store) == {"b-reprint": None, "c-other": None, "d-reprint": "b-reprint"}


def test_replace_all_keeps_the_order_of_arrival_and_drops_the_rest(store, fake_embedder):
    put(store, fake_embedder, "b-reprint")
    put(store, fake_embedder, "a-wire")
    put(store, fake_embedder, "c-other")
    calls = len(fake_embedder.calls)
    articles = [parse(ARTICLES[d], d) for d in ("a-wire", "b-reprint")]
    report = update(store, articles, lambda: fake_embedder, replace_all=True)
    assert (report.unchanged, report.removed, report.embedded) == (
        ["a-wire", "b-reprint"],
        ["c-other"],
        0,
    )
    assert len(fake_embedder.calls) == calls
    assert duplicates(store) == {"a-wire": "b-reprint", "b-reprint": None}
    assert orphan_vectors(store) == 0


def test_a_write_that_fails_midway_changes_nothing(store, fake_embedder, monkeypatch):
    put(store, fake_embedder, "a-wire")
    before = (store.generation(), stored_texts(store), duplicates(store))

    def fail(*args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_detect_duplicates", fail)  # after every row is written
    with pytest.raises(RuntimeError):
        put(store, fake_embedder, "b-reprint", "c-other")
    assert (store.generation(), stored_texts(store), duplicates(store)) == before
    monkeypatch.undo()
    assert put(store, fake_embedder, "b-reprint", "c-other").added == ["b-reprint", "c-other"]
    assert store.generation() == 2


def test_a_second_writer_waits_then_fails_with_a_clear_message(store, fake_embedder):
    other = Store(store.dir, fake_embedder.name, fake_embedder.dim)
    busy = r"another process \(pid \d+\) is updating the index"
    with store.writer(), pytest.raises(IndexBusy, match=busy), other.writer(wait=0.2):
        pass
    with other.writer(wait=0.2):  # free again
        pass
    other.close()


def test_an_index_of_another_model_is_refused_with_what_to_do(store):
    with pytest.raises(IndexMismatch, match="qa index --rebuild"):
        Store(store.dir, "another-model", 128)


def test_a_lost_manifest_is_written_again(store, fake_embedder):
    (store.dir / MANIFEST_FILE).unlink()
    Store(store.dir, fake_embedder.name, fake_embedder.dim).close()
    assert Store.read_manifest(store.dir)["model"] == fake_embedder.name
