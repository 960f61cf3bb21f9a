"""End to end: the real `qa serve` process on a free port, asked over HTTP."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

QA = Path(sys.executable).with_name("qa")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_index):
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(
        [str(QA), "serve", "--port", str(port), "--index-dir", str(seed_index)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stdout.read().decode())
        time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("server did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def test_real_server_answers_with_checkable_citations(server):
    r = httpx.post(
        f"{server}/ask", json={"question": "Who did Trump send to meet Maduro?"}, timeout=30
    )
    assert r.status_code == 200
    body = r.json()
    assert body["answerable"] and "Grenell" in body["answer"]
    for c in body["citations"]:
        text = httpx.get(f"{server}/documents/{c['doc_id']}").json()["text"]
        assert text[c["start"] : c["end"]] == c["quote"]


def test_real_server_rejects_bad_input_without_500(server):
    for payload in ({"question": " "}, {"question": "a" * 5000}, {"top_k": 3}):
        assert httpx.post(f"{server}/ask", json=payload, timeout=30).status_code == 422
    assert httpx.get(f"{server}/documents/nope", timeout=30).status_code == 404
