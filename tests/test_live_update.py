"""A running `qa serve` keeps answering while another process (`qa index`) updates its
index, and picks the update up without a restart: the real server, model and CLI."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import SEEDS, running_server

QA = Path(sys.executable).with_name("qa")
DOC_ID = "glimmerfen-regatta"
REGATTA = (
    "Glimmerfen lantern regatta won by Ilse Varnhagen\n\n"
    "Captain Ilse Varnhagen won the Glimmerfen lantern regatta on Saturday, steering her boat "
    "Moth Queen across the lake in 41 minutes.\n\n"
    "More than two hundred lantern boats took part in the race, which has been held on Lake "
    "Glimmerfen since 1952.\n\n"
    "Organisers said next year's regatta would start an hour later because of the tides.\n"
)
NEW_QUESTION = "Who won the Glimmerfen lantern regatta?"
OLD_QUESTION = "Who did Trump send to meet Maduro?"
# Generous bounds that only stop a broken test from hanging; the server looks for a new
# generation every second (QA_RELOAD_SECONDS); the test prints the lag it saw.
PATIENCE = 30.0


@pytest.fixture
def server(index_copy):
    with running_server(index_copy) as base:
        yield base, index_copy


def ask(base: str, question: str) -> httpx.Response:
    return httpx.post(f"{base}/ask", json={"question": question}, timeout=60)


def wait_for(check, what: str) -> float:
    """Seconds until ``check()`` holds."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < PATIENCE, f"never saw {what}"
        time.sleep(0.1)
    return time.monotonic() - start


def cites_new_article(base: str) -> bool:
    body = ask(base, NEW_QUESTION).json()
    return body["answerable"] and {c["doc_id"] for c in body["citations"]} == {DOC_ID}


def test_answers_continue_through_an_update_by_another_process(server, tmp_path):
    base, index_dir = server
    texts = {p.stem: p.read_text() for p in SEEDS.glob("*.txt")} | {DOC_ID: REGATTA}
    responses: list[tuple[int, dict | str]] = []
    stop = threading.Event()

    def keep_asking(question: str) -> None:
        while not stop.is_set():
            try:
                r = ask(base, question)
                responses.append((r.status_code, r.json() if r.status_code == 200 else r.text))
            except httpx.HTTPError as e:  # a dropped connection is an error too
                responses.append((0, repr(e)))
            time.sleep(0.05)

    askers = [
        threading.Thread(target=keep_asking, args=(q,))
        for q in (OLD_QUESTION, NEW_QUESTION, OLD_QUESTION)
    ]
    for t in askers:
        t.start()
    try:
        assert ask(base, NEW_QUESTION).json()["answerable"] is False
        folder = tmp_path / "incoming"
        folder.mkdir()
        (folder / f"{DOC_ID}.txt").write_text(REGATTA)
        added = subprocess.run(
            [str(QA), "index", str(folder), "--index-dir", str(index_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "1 added, 0 updated, 0 unchanged" in added.stdout
        during_add = len(responses)
        lag = wait_for(lambda: cites_new_article(base), "the new article cited")

        (folder / f"{DOC_ID}.txt").unlink()
        pruned = subprocess.run(
            [str(QA), "index", "--prune", str(folder), "--index-dir", str(index_dir)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "1 removed" in pruned.stdout
        wait_for(
            lambda: ask(base, NEW_QUESTION).json()["answerable"] is False,
            "the question declined after the delete",
        )
    finally:
        stop.set()
        for t in askers:
            t.join()

    print(
        f"new article answered {lag:.2f} s after `qa index` returned; "
        f"{len(responses)} answers during the updates"
    )
    assert during_add > 10  # the server was being asked while the CLI loaded, embedded, wrote
    assert [r for r in responses if r[0] != 200] == []
    for _, body in responses:  # each answer quotes one consistent generation, verbatim
        for c in body["citations"] + body["corroboration"]:
            assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
    assert any(DOC_ID in {c["doc_id"] for c in body["citations"]} for _, body in responses)
    last = ask(base, NEW_QUESTION).json()
    assert last["citations"] == [] and DOC_ID not in httpx.get(f"{base}/documents").text
