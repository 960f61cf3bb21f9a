"""Storage faults under a running `qa serve` and the `qa` command: a read-only index, a full
disk, a damaged database, a folder replaced or gone. Each answers with a JSON 503 (507 for
no space) or a one-line message saying what to do, and no article is lost.

The faults are real: `chattr +i`, a small tmpfs, bytes overwritten in the file. Making
them needs root; without it these tests are skipped."""

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .conftest import SEEDS, running_server

QA = Path(sys.executable).with_name("qa")
TOKEN = "fault-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ARTICLE = (
    "Lantern regatta on Lake Glimmerfen\n\n"
    "More than two hundred lantern boats crossed Lake Glimmerfen on Saturday night, "
    "the organisers said.\n"
)
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making the fault needs root")


def qa(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(QA), *args], capture_output=True, text=True, timeout=300)


def post(base: str, doc_id: str = "regatta") -> httpx.Response:
    body = {"doc_id": doc_id, "text": ARTICLE}
    return httpx.post(f"{base}/documents", json=body, headers=AUTH, timeout=120)


def doc_ids(base: str) -> list[str]:
    return sorted(d["doc_id"] for d in httpx.get(f"{base}/documents").json())


def one_line(run: subprocess.CompletedProcess) -> str:
    """The command's whole error output, which must be one line (no traceback)."""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


@contextmanager
def immutable(folder: Path) -> Iterator[None]:
    made = subprocess.run(["chattr", "-R", "+i", str(folder)], capture_output=True)
    if made.returncode:
        pytest.skip(f"chattr +i is not available here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-R", "-i", str(folder)], check=True)


@contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)])
    if made.returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


@needs_root
def test_a_read_only_index_answers_503_and_keeps_answering(index_copy, tmp_path):
    with running_server(index_copy, QA_API_TOKEN=TOKEN) as base:
        assert post(base, "before").status_code == 201  # also loads the model
        with immutable(index_copy):
            for r in (
                post(base),
                httpx.delete(f"{base}/documents/before", headers=AUTH, timeout=60),
            ):
                assert r.status_code == 503, r.text
                assert r.json()["detail"].startswith(f"the index at {index_copy} is read-only")
                assert "make it writable (chattr -i" in r.json()["detail"]
            health = httpx.get(f"{base}/healthz")
            assert (health.status_code, health.json()["status"]) == (200, "read-only")
            assert httpx.get(f"{base}/readyz").status_code == 503
            ask = httpx.post(f"{base}/ask", json={"question": "Who met Maduro?"}, timeout=60)
            assert ask.status_code == 200  # reads go on

            folder = tmp_path / "new"
            folder.mkdir()
            (folder / "regatta.txt").write_text(ARTICLE)
            run = qa("index", str(folder), "--index-dir", str(index_copy))
            assert run.returncode == 2
            assert one_line(run).startswith(f"qa: the index at {index_copy} is read-only")
        assert post(base).status_code == 201  # writable again: nothing was half-written
        assert doc_ids(base) == sorted([*SEED_IDS, "before", "regatta"])


@needs_root
def test_a_full_disk_answers_507_and_loses_nothing(index_copy, tmp_path):
    with small_disk(tmp_path / "disk", "160m") as disk:
        where = disk / "index"
        shutil.copytree(index_copy, where)
        with running_server(where, QA_API_TOKEN=TOKEN) as base:
            assert post(base, "before").status_code == 201
            filler = disk / "filler"
            with open(filler, "wb", buffering=0) as f:  # every byte left: the next write fails
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                except OSError:
                    pass
            r = post(base)
            assert r.status_code == 507, r.text
            assert r.json()["detail"] == (
                f"no space left on the device holding the index at {where}: free some "
                "space and retry (no article was changed)"
            )
            run = qa("index", str(SEEDS), "--rebuild", "--index-dir", str(where))
            assert run.returncode == 2
            assert one_line(run).startswith("qa: no space left on the device holding the index")
            assert doc_ids(base) == sorted([*SEED_IDS, "before"])
            filler.unlink()
            assert post(base).status_code == 201
            assert doc_ids(base) == sorted([*SEED_IDS, "before", "regatta"])


def damage(db: Path) -> None:
    """Overwrite 64 KiB of the database, past its first page (the header stays whole)."""
    with open(db, "r+b") as f:
        f.seek(4096)
        f.write(os.urandom(64 * 1024))


def test_a_damaged_database_is_reported_checked_and_rebuilt(index_copy, tmp_path):
    with running_server(index_copy, QA_API_TOKEN=TOKEN) as base:
        assert httpx.get(f"{base}/healthz").json()["problems"] == []
        damage(index_copy / "index.sqlite3")

        health = httpx.get(f"{base}/healthz")
        assert health.status_code == 503 and health.json()["status"] == "failing"
        assert health.json()["problems"][0].startswith("the index database is damaged")
        assert httpx.get(f"{base}/readyz").status_code == 503
        r = post(base)
        assert r.status_code == 503, r.text
        assert "is damaged" in r.json()["detail"]
        assert "`qa index --rebuild PATH`" in r.json()["detail"]

        check = qa("check", "--index-dir", str(index_copy))
        assert check.returncode == 1
        assert one_line(check).startswith(
            f"qa: the index database {index_copy}/index.sqlite3 is damaged"
        )
        ask = qa("ask", "Who met Maduro?", "--index-dir", str(index_copy))
        assert ask.returncode == 2 and "qa index --rebuild" in one_line(ask)
        plain = qa("index", str(SEEDS), "--index-dir", str(index_copy))
        assert plain.returncode == 2 and "qa index --rebuild" in one_line(plain)
        serve = qa("serve", "--index-dir", str(index_copy), "--port", "1")
        assert serve.returncode == 2 and "qa index --rebuild" in one_line(serve)

        rebuilt = qa("index", str(SEEDS), "--rebuild", "--index-dir", str(index_copy))
        assert rebuilt.returncode == 0, rebuilt.stderr
        aside = [p for p in tmp_path.iterdir() if p.name.startswith("index.damaged-")]
        assert len(aside) == 1 and (aside[0] / "index.sqlite3").exists()
        assert f"moved the damaged index to {aside[0]}" in one_line(rebuilt)
        assert "5 added" in rebuilt.stdout
        assert qa("check", "--index-dir", str(index_copy)).returncode == 0

        # The server loads the rebuilt index by itself.
        health = httpx.get(f"{base}/healthz")
        assert (health.status_code, health.json()["problems"]) == (200, [])
        assert doc_ids(base) == SEED_IDS
        assert post(base).status_code == 201


def test_a_replaced_folder_is_served_whole_and_never_mixed(index_copy, tmp_path):
    with running_server(index_copy, QA_API_TOKEN=TOKEN) as base:
        assert post(base, "old-only").status_code == 201
        # Restored from elsewhere: another index, holding two of the five articles.
        subset = tmp_path / "subset"
        subset.mkdir()
        for doc_id in SEED_IDS[:2]:
            shutil.copy(SEEDS / f"{doc_id}.txt", subset)
        shutil.rmtree(index_copy)
        made = qa("index", str(subset), "--index-dir", str(index_copy))
        assert made.returncode == 0, made.stderr

        # Written right away, before the watcher has looked: it lands in the index served.
        r = post(base)
        assert r.status_code == 201
        assert httpx.get(f"{base}/documents/regatta").status_code == 200
        assert doc_ids(base) == sorted([*SEED_IDS[:2], "regatta"])
        assert httpx.get(f"{base}/documents/old-only").status_code == 404
        assert httpx.get(f"{base}/healthz").json()["problems"] == []


def test_a_folder_gone_stops_the_answers_until_it_is_back(index_copy, tmp_path):
    with running_server(index_copy, QA_API_TOKEN=TOKEN) as base:
        moved = tmp_path / "elsewhere"
        index_copy.rename(moved)
        for r in (
            httpx.post(f"{base}/ask", json={"question": "Who met Maduro?"}, timeout=60),
            httpx.get(f"{base}/documents"),
            post(base),
        ):
            assert r.status_code == 503, r.text
            assert r.json()["detail"].startswith(f"the index folder {index_copy} is gone")
        health = httpx.get(f"{base}/healthz")
        assert (health.status_code, health.json()["status"]) == (503, "failing")
        assert not index_copy.exists()  # nothing was created in its place

        moved.rename(index_copy)
        assert httpx.get(f"{base}/healthz").status_code == 200
        assert doc_ids(base) == SEED_IDS


def test_serve_refuses_a_missing_folder_unless_asked_to_create_one(tmp_path):
    typo = tmp_path / "typo"
    run = qa("serve", "--index-dir", str(typo))
    assert run.returncode == 2
    assert one_line(run) == (
        f"qa: no index at {typo}: build one with `qa index PATH` "
        "(or start empty with `qa serve --create`)"
    )
    assert not typo.exists()
