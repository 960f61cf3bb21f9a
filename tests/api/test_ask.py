"""The HTTP contract of /ask and /documents, on the seed index with the real model."""

import re

import pytest
from fastapi.testclient import TestClient

from api import create_app
from qa.settings import Settings


@pytest.fixture(scope="module")
def client(seed_qa, seed_index):
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)) as c:
        yield c


def test_ask_returns_a_cited_verbatim_answer(client, seed_qa):
    r = client.post("/ask", json={"question": "Who met with Maduro on Jan. 31?"})
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
    assert body["answerability"] >= seed_qa.weights.threshold
    assert 1 <= len(body["citations"]) <= 3
    for c in body["citations"] + body["corroboration"]:
        doc = client.get(f"/documents/{c['doc_id']}").json()
        assert doc["text"][c["start"] : c["end"]] == c["quote"]
        assert c["title"] == doc["title"] and c["published"] == doc["published"]
    for p in body["passages"]:
        doc = client.get(f"/documents/{p['doc_id']}").json()
        assert doc["text"][p["start"] : p["end"]] == p["text"]
    assert all(c["quote"] in body["answer"] for c in body["citations"])


def test_ask_declines_what_the_articles_do_not_say(client, seed_qa):
    body = client.post(
        "/ask", json={"question": "Who won the 2018 football World Cup final?"}
    ).json()
    assert body["answerable"] is False
    assert body["answer"] is None and body["citations"] == []
    # What decided it: the answerability, below the service's threshold.
    assert 0 <= body["answerability"] < seed_qa.weights.threshold


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
    body = r.json()
    assert fragment in body["detail"]
    # The documented error body: one line, and each field refused with its message.
    assert set(body) == {"detail", "errors"}
    assert body["detail"] == "; ".join(f"{e['field']}: {e['message']}" for e in body["errors"])


def test_an_empty_question_is_refused_by_the_rule_the_schema_states(client):
    rule = client.get("/openapi.json").json()["components"]["schemas"]["AskRequest"]
    question = rule["properties"]["question"]
    assert (question["pattern"], question["maxLength"]) == (r"\S", 2000)
    r = client.post("/ask", json={"question": " \t"})
    assert (r.status_code, r.json()["errors"]) == (
        422,
        [{"field": "question", "message": "the question is empty; send a question in plain words"}],
    )


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (
            b'{"question": "Who',
            "the body is not valid JSON: Unterminated string starting at character 13",
        ),
        (
            b"{question: 1}",
            "the body is not valid JSON: Expecting property name enclosed in double quotes at character 1",
        ),
    ],
)
def test_malformed_json_is_400_saying_so(client, content, detail):
    r = client.post("/ask", content=content, headers={"content-type": "application/json"})
    assert (r.status_code, r.json()) == (400, {"detail": detail})


def test_every_route_documents_its_errors_with_the_one_error_body(client):
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    statuses = {
        (method, path): sorted(op["responses"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
    }
    assert statuses == {
        ("post", "/ask"): ["200", "400", "422", "503"],
        ("get", "/documents"): ["200", "422", "503"],
        ("post", "/documents"): sorted(
            ["200", "201", "400", "401", "403", "409", "413", "422", "503", "507"]
        ),
        ("get", "/documents/{doc_id}"): ["200", "404", "422", "503"],
        ("delete", "/documents/{doc_id}"): ["200", "401", "403", "404", "409", "422", "503", "507"],
        ("get", "/healthz"): ["200", "503"],
        ("get", "/readyz"): ["200", "503"],
        ("get", "/metrics"): ["200"],
    }
    for (method, path), codes in statuses.items():
        for code in codes:
            if code >= "400" and path != "/healthz":
                schema = spec["paths"][path][method]["responses"][code]["content"]
                assert schema["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }


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


def test_a_source_shows_the_file_name_not_the_server_path(client, seed_index):
    doc = client.get("/documents/000_6bd1047782db996f").json()
    assert doc["source"] == "000_6bd1047782db996f.txt"


def test_health_and_docs_served_offline(client):
    health = client.get("/healthz").json()
    assert (health["status"], health["documents"], health["problems"]) == ("ok", 5, [])
    assert client.get("/readyz").status_code == 200
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    # Every script and style the page loads comes from this server.
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', page):
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
    assert "/ask" in client.get("/openapi.json").json()["paths"]


def test_the_server_loads_what_a_first_answer_needs_before_the_first_request(
    seed_qa, seed_index, monkeypatch
):
    from qa import features

    features.word_vectors.cache_clear()
    asked: list[str] = []
    real_ask = seed_qa.ask
    monkeypatch.setattr(seed_qa, "ask", lambda q, *a, **k: asked.append(q) or real_ask(q, *a, **k))
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)):
        assert features.word_vectors.cache_info().currsize == 1  # loaded at start
        assert len(asked) == 1  # by one question, asked by no client


def test_what_the_server_loads_before_its_first_request_is_left_out_of_collections(
    seed_qa, seed_index
):
    import gc

    gc.unfreeze()
    try:
        with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)):
            # The index's details, loaded before the app started, are frozen with it.
            assert gc.get_freeze_count() > len(seed_qa.corpus.documents)
    finally:
        gc.unfreeze()


def test_at_most_two_questions_are_answered_at_once(seed_qa, seed_index, monkeypatch):
    """One is embedded while another is answered; more threads only contend. The web
    page's questions count with the API's."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    real, at_once, most, lock = seed_qa.ask_timed, [0], [0], threading.Lock()

    def counted(*args, **kwargs):
        with lock:
            at_once[0] += 1
            most[0] = max(most[0], at_once[0])
        time.sleep(0.1)
        with lock:
            at_once[0] -= 1
        return real(*args, **kwargs)

    monkeypatch.setattr(seed_qa, "ask_timed", counted)
    app = create_app(Settings(index_dir=seed_index), service=seed_qa)

    def ask(n: int) -> int:
        if n % 2:
            return c.get("/", params={"question": f"Who? {n}"}).status_code
        return c.post("/ask", json={"question": f"Who? {n}"}).status_code

    with TestClient(app) as c, ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(ask, range(12)))
    assert codes == [200] * 12
    assert most[0] == 2
