"""End to end: the real `qa serve` process on a free port, asked over HTTP."""

import httpx
import pytest

from .conftest import running_server


@pytest.fixture(scope="module")
def server(seed_index):
    with running_server(seed_index) as base:
        yield base


def test_real_server_answers_with_checkable_citations(server):
    r = httpx.post(
        f"{server}/ask", json={"question": "Who met with Maduro on Jan. 31?"}, timeout=30
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
