"""An update is all or nothing: kill it (SIGKILL) anywhere and the index still loads with
every article it had before, or with the whole update; a retried update completes it."""

import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index import IndexBusy, Store, index_paths

from ..conftest import FakeEmbedder

WORKER = Path(__file__).with_name("update_worker.py")
OLD, CHANGED, NEW = 30, 10, 80  # articles before; of them changed; new ones


def article(i: int, version: int = 0) -> str:
    return (
        f"Council of Town{i} meets\n\n"
        f"The council of Town{i} met on Monday to discuss the budget for {2000 + i}. "
        f"Councillor Ana{i} proposed spending {i * 7 + version} thousand on roads.\n\n"
        f"Residents of Town{i} asked for a library near the station. "
        f"The vote on plan {i}-{version} will take place next week.\n"
    )


def state(index_dir: Path) -> tuple[int, dict[str, str]]:
    """The generation and every article's text, after checking the database is whole and
    every stored span has its vector."""
    db = sqlite3.connect(index_dir / "index.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    spans = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("chunks", "sentences")]
    db.close()
    store = Store(index_dir, FakeEmbedder.name, FakeEmbedder.dim, create=False)
    snap = store.snapshot()
    store.close()
    assert [len(snap.chunks.spans), len(snap.sentences.spans)] == spans
    return snap.generation, {d.doc_id: d.text for d in snap.documents}


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A pristine index of OLD articles, the folder changed since, and the state after."""
    root = tmp_path_factory.mktemp("crash")
    folder = root / "articles"
    folder.mkdir()
    for i in range(OLD):
        (folder / f"town{i:03d}.txt").write_text(article(i))
    pristine = root / "pristine"
    store = Store(pristine, FakeEmbedder.name, FakeEmbedder.dim)
    index_paths(store, [folder], FakeEmbedder)
    store.close()
    for i in range(CHANGED):
        (folder / f"town{i:03d}.txt").write_text(article(i, version=1))
    for i in range(OLD, OLD + NEW):
        (folder / f"town{i:03d}.txt").write_text(article(i))
    done = root / "done"
    shutil.copytree(pristine, done)
    store = Store(done, FakeEmbedder.name, FakeEmbedder.dim)
    index_paths(store, [folder], FakeEmbedder)
    store.close()
    before, after = state(pristine), state(done)
    assert after[0] == before[0] + 1 and len(after[1]) == OLD + NEW
    return root, folder, before, after


def run_worker(index_dir: Path, folder: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(index_dir), str(folder), *args],
        stdout=subprocess.PIPE,
        text=True,
    )


def kill_at(proc: subprocess.Popen, marker: str, delay: float) -> None:
    """SIGKILL ``proc`` ``delay`` seconds after it prints ``marker``."""
    watchdog = threading.Timer(60, proc.kill)  # a stuck worker fails the test, not hangs it
    watchdog.start()
    try:
        while not (line := proc.stdout.readline()).startswith(marker):
            assert line, f"the worker ended before printing {marker!r}"
    finally:
        watchdog.cancel()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


def finish(index_dir: Path, folder: Path) -> tuple[int, int]:
    """Run the update to its end; returns its generation and how many texts it embedded."""
    out = subprocess.run(
        [sys.executable, str(WORKER), str(index_dir), str(folder)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _, generation, embedded = out.splitlines()[-1].split()
    return int(generation), int(embedded)


@pytest.mark.parametrize(
    ("marker", "delay", "outcomes"),
    [
        ("embedding", 0.0, {"before"}),
        ("in-transaction", 0.0, {"before"}),  # every row written, not yet committed
        ("writing", 0.02, {"before", "after"}),
        ("writing", 0.2, {"before", "after"}),
        ("written", 0.0, {"after"}),
    ],
)
def test_a_killed_update_leaves_the_old_index_or_the_new_one_and_a_retry_completes(
    scene, tmp_path, marker, delay, outcomes
):
    root, folder, before, after = scene
    index_dir = tmp_path / "index"
    shutil.copytree(root / "pristine", index_dir)
    hold = ["hold"] if marker == "in-transaction" else []
    kill_at(run_worker(index_dir, folder, *hold), marker, delay)

    found = state(index_dir)
    assert found in (before, after)
    assert ("before" if found == before else "after") in outcomes

    generation, embedded = finish(index_dir, folder)
    assert state(index_dir) == after
    if marker == "in-transaction":
        assert embedded == 0  # the killed run's vectors were kept: nothing embedded twice


def test_a_second_writer_is_refused_naming_the_first_and_a_killed_one_holds_no_lock(
    scene, tmp_path
):
    root, folder, before, _ = scene
    index_dir = tmp_path / "index"
    shutil.copytree(root / "pristine", index_dir)
    first = run_worker(index_dir, folder, "hold")
    while not first.stdout.readline().startswith("in-transaction"):
        assert first.poll() is None
    second = Store(index_dir, FakeEmbedder.name, FakeEmbedder.dim)
    where = re.escape(str(index_dir))
    busy = rf"another process \(pid {first.pid}\) is updating the index at {where}"
    with pytest.raises(IndexBusy, match=busy), second.writer(wait=0.2):
        pass
    first.kill()
    first.wait(timeout=10)
    with second.writer(wait=0.2):  # the kernel dropped the dead writer's lock
        pass
    second.close()
    assert state(index_dir) == before
