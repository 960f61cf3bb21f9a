"""`qa index --feed` and `qa watch`, end to end with the real model."""

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from index import Store
from index.embed import MODEL_DIM, MODEL_NAME

from ..index.test_feed import RSS, feed_server  # noqa: F401  (a fixture)


def test_index_a_feed_from_a_local_server_then_again(feed_server, tmp_path, caplog):  # noqa: F811
    folder, base = feed_server
    (folder / "news.rss").write_bytes(RSS.read_bytes())
    where = tmp_path / "index"
    args = ["index", "--feed", f"{base}/news.rss", "--index-dir", str(where)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 unchanged, 0 removed, 1 skipped as bad" in first.output
    # the skipped entry is named in a warning
    assert any("Photo gallery: summer fair" in r.getMessage() for r in caplog.records)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 2 unchanged" in again.output
    assert "0 texts embedded" in again.output


def test_index_needs_files_or_a_feed(tmp_path):
    result = CliRunner().invoke(app, ["index", "--index-dir", str(tmp_path / "index")])
    assert result.exit_code == 2 and "--feed URL_OR_FILE" in result.output


def test_watch_indexes_a_file_that_lands_in_the_folder(tmp_path):
    """`qa watch` as its own process, with the real model, stopped by Ctrl-C."""
    folder, where = tmp_path / "inbox", tmp_path / "index"
    folder.mkdir()
    qa = Path(sys.executable).with_name("qa")
    cmd = [str(qa), "watch", str(folder), "--index-dir", str(where), "--quiet", "0.3"]
    # A watcher that hangs on Ctrl-C is aborted, and faulthandler prints where each thread was.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        # Ctrl-C as at a terminal: a suite run as a background job (`make test &`) passes
        # SIGINT on ignored, and an ignored Ctrl-C never reaches the watcher.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout], daemon=True).start()
    try:
        assert "watching" in lines.get(timeout=60)
        assert "0 added" in lines.get(timeout=60)  # the first pass, over an empty folder
        (folder / "library.txt").write_text(
            "Library reopens\n\nThe town library in Northgate reopened on Saturday after a "
            "two-year refit, the council said.\n"
        )
        line = lines.get(timeout=120)
        assert "1 added" in line, line
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)
            proc.wait(timeout=30)
    if proc.returncode != 0:
        time.sleep(1)  # the reader thread takes the last lines
        stacks = "".join(lines.get_nowait() for _ in range(lines.qsize()))
        pytest.fail(f"qa watch did not stop cleanly on Ctrl-C ({proc.returncode}):\n{stacks}")
    store = Store(where, MODEL_NAME, MODEL_DIM, create=False)
    try:
        assert "Northgate" in store.document("library").text
    finally:
        store.close()


def test_an_index_cut_by_older_splitters_says_so_until_recut(index_copy):
    import sqlite3

    from index.chunk import CUT_VERSION
    from index.schema import DB_FILE

    from ..conftest import SEEDS

    with sqlite3.connect(index_copy / DB_FILE) as db:  # as an index built before the note
        db.execute("DELETE FROM meta WHERE key = 'cut'")
    where = ["--index-dir", str(index_copy)]
    again = CliRunner().invoke(app, ["index", str(SEEDS), *where])
    assert again.exit_code == 0, again.output
    assert f"older splitters (version 1; these are version {CUT_VERSION})" in again.output
    assert "`qa index --recut` cuts them again" in again.output

    recut = CliRunner().invoke(app, ["index", "--recut", *where])
    assert recut.exit_code == 0, recut.output
    count = len(list(SEEDS.glob("*.txt")))
    assert f"{count} articles cut again; 0 texts embedded" in recut.output
    store = Store(index_copy, MODEL_NAME, MODEL_DIM)
    assert store.cut_version() == CUT_VERSION
    store.close()
    after = CliRunner().invoke(app, ["index", str(SEEDS), *where])
    assert after.exit_code == 0 and "older splitters" not in after.output

    alone = CliRunner().invoke(app, ["index", "--recut", str(SEEDS), *where])
    assert alone.exit_code == 2 and "--recut runs on its own" in alone.output
    missing = CliRunner().invoke(app, ["index", "--recut", "--index-dir", str(index_copy / "no")])
    assert missing.exit_code == 2 and "no index at" in missing.output
    assert not (index_copy / "no").exists()
