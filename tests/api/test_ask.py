"""The HTTP contract of /ask and /documents, on the seed index with the real model."""

import pytest
from fastapi.testclient import TestClient

from api import create_app
from qa.settings import Settings


@pytest.fixture(scope="module")
def client(seed_qa, seed_index):
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)) as c:
        yield c


def test_ask_returns_a_cited_verbatim_answer(client):
    r = client.post("/ask", json={"question": "Who did Trump send to meet Maduro?"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) >= {
        "question",
        "answer",
        "answerable",
        "confidence",
        "citations",
        "passages",
        "corroboration",
        "conflicts",
    }
    assert body["answerable"] is True
    assert "Grenell" in body["answer"]
    assert 0 <= body["confidence"] <= 1
    assert 1 <= len(body["citations"]) <= 3
    for c in body["citations"] + body["corroboration"]:
        doc = client.get(f"/documents/{c['doc_id']}").json()
        assert doc["text"][c["start"] : c["end"]] == c["quote"]
        assert c["title"] == doc["title"] and c["published"] == doc["published"]
    for p in body["passages"]:
        doc = client.get(f"/documents/{p['doc_id']}").json()
        assert doc["text"][p["start"] : p["end"]] == p["text"]
    assert all(c["quote"] in body["answer"] for c in body["citations"])


def test_ask_declines_what_the_articles_do_not_say(client):
    body = client.post(
        "/ask", json={"question": "Who won the 2018 football World Cup final?"}
    ).json()
    assert body["answerable"] is False
    assert body["answer"] is None and body["citations"] == []


def test_top_k_bounds_the_passages(client):
    body = client.post("/ask", json={"question": "What did Maduro offer?", "top_k": 2}).json()
    assert len(body["passages"]) == 2


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n\t"}, "question is empty"),
        ({"question": "x" * 2001}, "2000"),
        ({"question": "Who?", "top_k": 0}, "top_k"),
        ({"question": "Who?", "top_k": 51}, "top_k"),
        ({"question": 42}, "question"),
        ({}, "question"),
        ({"question": "Who?", "colour": "red"}, "colour"),
    ],
)
def test_bad_requests_are_422_saying_what_is_wrong(client, payload, fragment):
    r = client.post("/ask", json=payload)
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_malformed_json_is_422(client):
    r = client.post(
        "/ask", content=b'{"question": "Who', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422


def test_documents_list_and_fetch(client):
    docs = client.get("/documents").json()
    assert len(docs) == 5
    assert {"doc_id", "title", "published", "chunks"} <= set(docs[0])
    one = client.get(f"/documents/{docs[0]['doc_id']}").json()
    assert set(one) >= {"doc_id", "title", "published", "source", "text"}
    assert one["doc_id"] == docs[0]["doc_id"]


def test_unknown_document_is_404(client):
    r = client.get("/documents/no-such-doc")
    assert r.status_code == 404
    assert "no-such-doc" in r.json()["detail"]


def test_health_and_docs(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["documents"] == 5
    assert client.get("/docs").status_code == 200
    assert "/ask" in client.get("/openapi.json").json()["paths"]
