"""Storage faults become the IndexProblem that says what to do, and a store knows when its
folder no longer holds the database it opened."""

import os
import shutil
import sqlite3
import subprocess

import pytest

from index import IndexCorrupt, IndexFull, IndexMissing, IndexReadOnly, Store, parse, update

TEXT = (
    "Ferry sinks off Lamu\n\nA ferry sank off the coast of Lamu on Sunday. Twelve passengers "
    "were rescued by fishermen.\n\nThe port authority opened an inquiry into the accident."
)


def built(where, embedder, doc_id="ferry"):
    store = Store(where, embedder.name, embedder.dim)
    update(store, [parse(TEXT, doc_id)], lambda: embedder)
    return store


def test_a_database_that_cannot_grow_is_reported_as_full_and_keeps_what_it_had(
    tmp_path, fake_embedder
):
    store = built(tmp_path / "index", fake_embedder)
    (pages,) = sqlite3.connect(store.dir / "index.sqlite3").execute("PRAGMA page_count").fetchone()
    # SQLite's own page limit answers like a full disk (SQLITE_FULL).
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    big = TEXT + "\n\n" + " ".join(f"Paragraph {i} says something new." for i in range(3000))
    with pytest.raises(IndexFull, match="no space left on the device holding the index"):
        update(store, [parse(big, "big")], lambda: fake_embedder)
    assert [d.doc_id for d in store.documents()] == ["ferry"]
    assert store.generation() == 1
    store.close()


def test_a_damaged_file_is_found_by_verify_and_refused_on_open(tmp_path, fake_embedder):
    store = built(tmp_path / "index", fake_embedder)
    assert store.verify(full=True) == []
    store.close()
    with open(tmp_path / "index" / "index.sqlite3", "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(8192))
    with pytest.raises(IndexCorrupt, match=r"is damaged .*`qa index --rebuild PATH`"):
        reopened = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
        reopened.documents()


def test_a_store_knows_its_folder_was_replaced_or_removed(tmp_path, fake_embedder):
    where = tmp_path / "index"
    store = built(where, fake_embedder)
    assert store.replaced() is False
    shutil.move(where, tmp_path / "old")
    with pytest.raises(IndexMissing, match="is gone: build one with `qa index PATH`"):
        store.replaced()
    fresh = built(where, fake_embedder, "other")
    assert store.replaced() is True
    assert fresh.index_id != store.index_id
    assert fresh.verify() == []
    store.close()
    fresh.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="chattr +i needs root")
def test_a_folder_that_cannot_be_made_is_reported_as_read_only(tmp_path, fake_embedder):
    parent = tmp_path / "locked"
    parent.mkdir()
    if subprocess.run(["chattr", "+i", str(parent)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(IndexReadOnly, match=r"is read-only \(Operation not permitted\)"):
            Store(parent / "index", fake_embedder.name, fake_embedder.dim)
    finally:
        subprocess.run(["chattr", "-i", str(parent)], check=True)
