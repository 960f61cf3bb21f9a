"""Updating an index from article files: only what changed is parsed, cut and embedded."""

import json
import subprocess
import sys

import numpy as np
import pytest

import index.build
import index.chunk
from index import Store, index_paths, parse, replacing, update
from index.build import entry
from index.embed import MODEL_DIM, MODEL_NAME

FILES = {
    "harbour.txt": "Storm closes the harbour\n\nThe harbour in Port Elin closed on Monday after "
    "a storm. Fishing boats stayed at their moorings all day.\n\nThe harbour master said it "
    "would open again on Wednesday.",
    "bridge.txt": "New bridge opens in Tarrow\n\nThe new bridge over the Tarrow river opened on "
    "Friday. It cost four million pounds to build.\n\nThe mayor cut the ribbon in front of a "
    "large crowd.",
    "school.txt": "School wins science prize\n\nPupils from Elm Street school won the regional "
    "science prize on Thursday. Their project measured air quality near the bypass.",
}


def write_files(folder, files):
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def no_model():
    raise AssertionError("the model was asked for, with nothing to embed")


@pytest.fixture
def indexed(tmp_path, fake_embedder):
    """Three article files, indexed once."""
    write_files(tmp_path / "articles", FILES)
    store = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    report = index_paths(store, [tmp_path / "articles"], lambda: fake_embedder)
    assert report.added == ["bridge", "harbour", "school"]
    yield store, tmp_path / "articles"
    store.close()


def test_unchanged_files_are_only_hashed_not_parsed_cut_or_embedded(indexed, monkeypatch):
    store, folder = indexed

    def fail(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed or cut")

    monkeypatch.setattr(index.build, "read_article", fail)
    monkeypatch.setattr(index.chunk, "chunk", fail)
    report = index_paths(store, [folder], no_model)
    assert (report.unchanged, report.added, report.updated, report.generation) == (
        ["bridge", "harbour", "school"],
        [],
        [],
        1,
    )


def test_new_changed_and_bad_files_are_counted_and_only_new_texts_embedded(indexed, fake_embedder):
    store, folder = indexed
    old_hashes = {h for e in [entry(parse(FILES["bridge.txt"], "bridge"))] for h in _hashes(e)}
    changed = FILES["bridge.txt"].replace("four million", "five million")
    write_files(
        folder,
        {
            "bridge.txt": changed,
            "market.txt": "Market reopens\n\nThe covered "
            "market in Tarrow reopened on Saturday after repairs to its roof.",
            "empty.txt": "",
        },
    )
    expected = _hashes(entry(parse(changed, "bridge"))) - old_hashes
    expected |= _hashes(entry(parse((folder / "market.txt").read_text(), "market")))

    report = index_paths(store, [folder], lambda: fake_embedder)
    assert report.summary() == (
        f"1 added, 1 updated, 2 unchanged, 0 removed, 1 skipped as bad; "
        f"{len(expected)} texts embedded"
    )
    assert (report.added, report.updated, report.generation) == (["market"], ["bridge"], 2)
    assert store.document("bridge").text == changed


def _hashes(e):
    return {h for _, _, h, *_ in (*e.chunks, *e.sentences)}


def test_prune_removes_only_articles_whose_files_are_gone(indexed, fake_embedder):
    store, folder = indexed
    update(store, [parse(FILES["school.txt"], "posted")], lambda: fake_embedder)  # no file
    (folder / "harbour.txt").unlink()
    assert index_paths(store, [folder], no_model).removed == []
    report = index_paths(store, [folder], no_model, prune=True)
    assert (report.removed, report.generation) == (["harbour"], 3)
    assert [d.doc_id for d in store.documents()] == ["bridge", "posted", "school"]


def test_rebuild_cuts_everything_again_from_cached_vectors_in_one_generation(
    indexed, fake_embedder
):
    store, folder = indexed
    update(store, [parse(FILES["school.txt"], "posted")], lambda: fake_embedder)
    (folder / "school.txt").unlink()
    report = index_paths(store, [folder], no_model, rebuild=True)
    assert (report.unchanged, report.removed, report.embedded, report.generation) == (
        ["bridge", "harbour"],
        ["posted", "school"],
        0,
        3,
    )
    assert {d.doc_id: d.text for d in store.documents()} == {
        "bridge": FILES["bridge.txt"],
        "harbour": FILES["harbour.txt"],
    }


def test_replacing_swaps_in_the_new_folder_only_when_it_is_complete(tmp_path, fake_embedder):
    where = tmp_path / "index"
    Store(where, "old-model", 8).close()
    with pytest.raises(RuntimeError), replacing(where) as fresh:
        Store(fresh, fake_embedder.name, fake_embedder.dim).close()
        raise RuntimeError("killed halfway")
    assert Store.read_manifest(where)["model"] == "old-model"
    with replacing(where) as fresh:
        store = Store(fresh, fake_embedder.name, fake_embedder.dim)
        update(store, [parse(FILES["bridge.txt"], "bridge")], lambda: fake_embedder)
        store.close()
    assert Store.read_manifest(where)["model"] == fake_embedder.name
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index"]


class ModelShaped:
    """Claims the real model's name and width, so the `qa` command opens the index."""

    name, dim = MODEL_NAME, MODEL_DIM

    def embed(self, texts, progress=False):
        rows = np.random.default_rng(len(texts)).normal(size=(len(texts), self.dim))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def test_qa_index_on_unchanged_files_loads_no_model_or_splitter(tmp_path):
    write_files(tmp_path / "articles", FILES)
    store = Store(tmp_path / "index", MODEL_NAME, MODEL_DIM)
    index_paths(store, [tmp_path / "articles"], ModelShaped)
    store.close()
    heavy = [
        "torch",
        "sentence_transformers",
        "transformers",
        "faiss",
        "bm25s",
        "langchain_text_splitters",
        "pysbd",
        "onnxruntime",
    ]
    script = (
        "import json, sys\n"
        "from cli import app\n"
        f"app(['index', {str(tmp_path / 'articles')!r}, '--index-dir', "
        f"{str(tmp_path / 'index')!r}], standalone_mode=False)\n"
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].endswith(
        "0 added, 0 updated, 3 unchanged, 0 removed, 0 skipped as bad; 0 texts embedded"
    )
    assert json.loads(out[1]) == []


def _forget_the_cut(store):
    """Make ``store`` look like an index built before it noted how its articles were cut."""
    import sqlite3

    from index.schema import DB_FILE

    with sqlite3.connect(store.dir / DB_FILE) as db:
        db.execute("DELETE FROM meta WHERE key = 'cut'")


def test_a_new_index_notes_the_splitters_its_articles_are_cut_with(indexed, tmp_path):
    store, _ = indexed
    assert store.cut_version() == index.chunk.CUT_VERSION
    _forget_the_cut(store)
    assert store.cut_version() == 1  # an index older than the note
    # An old index with no articles is noted as cut by a re-cut, which writes nothing.
    empty = Store(tmp_path / "empty", store.model, store.dim)
    _forget_the_cut(empty)
    assert index.build.recut(empty, no_model).generation == 0
    assert empty.cut_version() == index.chunk.CUT_VERSION
    empty.close()


def test_recut_cuts_every_stored_article_again_from_its_text(tmp_path, fake_embedder, monkeypatch):
    # Articles cut by older splitters: here, each paragraph one "sentence".
    def paragraphs(article):
        start = 0
        for n, part in enumerate(article.text.split("\n\n")):
            yield index.chunk.Sentence(article.doc_id, n, start, start + len(part), part)
            start += len(part) + 2

    write_files(tmp_path / "articles", FILES)
    store = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    with monkeypatch.context() as m:
        m.setattr(index.chunk, "sentences", paragraphs)
        index_paths(store, [tmp_path / "articles"], lambda: fake_embedder)
        update(store, [parse(FILES["school.txt"], "posted")], lambda: fake_embedder)  # no file
    _forget_the_cut(store)
    old = {(d, s, e) for d, _, s, e in store.spans("sentences").spans}
    for f in (tmp_path / "articles").iterdir():
        f.unlink()  # the stored text is all it needs
    fake_embedder.calls.clear()

    report = index.build.recut(store, lambda: fake_embedder)

    docs = {d.doc_id: d for d in store.documents()}
    assert sorted(docs) == ["bridge", "harbour", "posted", "school"]  # nothing dropped
    now = {(d, s, e) for d, _, s, e in store.spans("sentences").spans}
    expected = set()
    for d in docs.values():
        cut = entry(parse(d.text, d.doc_id))
        expected |= {(d.doc_id, s, e) for s, e, *_ in cut.sentences}
    assert now == expected != old
    assert store.cut_version() == index.chunk.CUT_VERSION
    # Only the sentences cut differently were embedded; the passages came from the cache.
    new_texts = {docs[d].text[s:e] for d, s, e in now - old}
    assert sum(fake_embedder.calls) == report.embedded == len(new_texts) > 0
    # Cut again with the same splitters, nothing changes and nothing is embedded.
    assert index.build.recut(store, no_model).embedded == 0
    assert {(d, s, e) for d, _, s, e in store.spans("sentences").spans} == now
    store.close()
