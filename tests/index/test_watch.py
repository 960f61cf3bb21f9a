"""Watching a folder: files are indexed as they land, never half-written, through the lock."""

import queue
import threading
import time

import pytest

from index import Store, index_paths, watch_folder

STORY = (
    "Library reopens after refit\n\n"
    "The town library in Northgate reopened on Saturday after a two-year refit costing "
    "£800,000, the council said.\n\n"
    "More than 500 people visited on the first day, and 120 new members joined.\n"
)
QUIET = 0.4


@pytest.fixture
def watching(tmp_path, fake_embedder):
    """A watcher over tmp_path/articles in a thread; yields (folder, store, next report)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "first.txt").write_text(
        STORY.replace("Library", "Museum").replace("library", "museum")
    )
    where = tmp_path / "index"
    Store(where, fake_embedder.name, fake_embedder.dim).close()
    reports: queue.Queue = queue.Queue()

    def index_once():
        store = Store(where, fake_embedder.name, fake_embedder.dim)
        try:
            with store.writer():
                return index_paths(store, [folder], lambda: fake_embedder, prune=True)
        finally:
            store.close()

    stop = threading.Event()
    thread = threading.Thread(
        target=watch_folder, args=(folder, index_once, reports.put, QUIET, stop), daemon=True
    )
    thread.start()
    store = Store(where, fake_embedder.name, fake_embedder.dim)
    assert reports.get(timeout=30).added == ["first"]
    yield folder, store, lambda: reports.get(timeout=30), reports
    stop.set()
    thread.join(timeout=10)
    store.close()
    assert not thread.is_alive()


def test_a_file_written_slowly_is_indexed_once_and_whole(watching):
    folder, store, next_report, reports = watching
    half = len(STORY) // 2
    with open(folder / "library.txt", "w") as f:
        for piece in (STORY[:half], STORY[half:]):
            f.write(piece)
            f.flush()
            time.sleep(QUIET / 2)  # pauses shorter than the quiet spell
    report = next_report()
    assert (report.added, report.updated, report.skipped) == (["library"], [], [])
    assert store.document("library").text == STORY
    time.sleep(QUIET * 2)
    assert reports.empty()  # no second pass saw a different file


def test_a_file_renamed_into_place_is_indexed_and_a_removed_one_dropped(watching):
    folder, store, next_report, _ = watching
    tmp = folder / ".library.txt.part"
    tmp.write_text(STORY)
    tmp.rename(folder / "library.txt")
    assert next_report().added == ["library"]
    (folder / "first.txt").unlink()
    assert next_report().removed == ["first"]
    assert store.document("first") is None


def test_a_bad_file_is_reported_by_name_and_the_watch_goes_on(watching):
    folder, _, next_report, _ = watching
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    report = next_report()
    assert len(report.skipped) == 1 and "photo.txt" in report.skipped[0]
    (folder / "library.txt").write_text(STORY)
    assert "library" in next_report().added
