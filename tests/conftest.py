"""Shared fixtures: a deterministic fake embedder for unit tests, the real model for the rest."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest

from index import Store, index_paths

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def shared_corpus(name: str) -> Path:
    """``../shared/corpora/NAME`` beside the repository (as CI lays it out), or beside a
    folder above it (a git worktree); the first of them, even if absent."""
    places = [p / "shared" / "corpora" / name for p in ROOT.parents]
    return next((p for p in places if p.is_dir()), places[0])


class FakeEmbedder:
    """Bag of hashed, lower-cased words: texts sharing words get close vectors. Instant."""

    name = "fake-bag-of-words"
    dim = 64

    def __init__(self) -> None:
        self.calls: list[int] = []  # how many texts each call embedded

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                h = int(hashlib.md5(word.encode()).hexdigest(), 16)
                out[row, h % self.dim] += 1.0
            norm = np.linalg.norm(out[row])
            out[row] /= norm if norm else 1.0
        return out


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_embedder():
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    from index import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, real_embedder) -> Path:
    """An index of seeds/ built with the real model, shared by the tests that only read it."""
    where = tmp_path_factory.mktemp("seed-index") / "index"
    store = Store(where, real_embedder.name, real_embedder.dim)
    report = index_paths(store, [SEEDS], lambda: real_embedder)
    store.close()
    assert len(report.added) == len(list(SEEDS.glob("*.txt")))
    return where


@pytest.fixture(scope="session")
def seed_qa(seed_index, real_embedder):
    """The answering service over the seed index, with the real model."""
    from qa import QA

    qa = QA(seed_index, embedder=real_embedder)
    yield qa
    qa.close()


def build_qa(where: Path, embedder, articles: dict[str, str]):
    """The answering service over an index of ``articles`` (doc_id -> text) built at
    ``where``, one article at a time in doc_id order (so a reprint follows its original)."""
    from index import parse, update
    from qa import QA

    store = Store(where, embedder.name, embedder.dim)
    for doc_id in sorted(articles):
        update(store, [parse(articles[doc_id], doc_id)], lambda: embedder)
    store.close()
    return QA(where, embedder=embedder)


@pytest.fixture
def index_copy(seed_index, tmp_path) -> Path:
    """A private copy of the seed index, for tests that write to it."""
    where = tmp_path / "index"
    shutil.copytree(seed_index, where)
    return where


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(
    index_dir: Path, log: Path | None = None, args: tuple[str, ...] = (), **env: str
) -> Iterator[str]:
    """`qa serve` over ``index_dir`` as a real process on a free port; yields its base URL.
    Its output goes to ``log``, or to a temporary file: never to a pipe nobody reads,
    which fills after a few hundred logged requests and then blocks the server."""
    port = free_port()
    qa = Path(sys.executable).with_name("qa")
    own = log is None
    if log is None:
        handle, name = tempfile.mkstemp(prefix="qa-serve-", suffix=".log")
        os.close(handle)
        log = Path(name)
    out = open(log, "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        [str(qa), "serve", "--port", str(port), "--index-dir", str(index_dir), *args],
        env={**os.environ, "HF_HUB_OFFLINE": "1", **env},
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                said = log.read_bytes()
                raise RuntimeError(f"qa serve exited: {said.decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError("qa serve did not answer /healthz within 180 s")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        out.close()
        if own:
            log.unlink(missing_ok=True)
