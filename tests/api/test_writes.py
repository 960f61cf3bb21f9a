"""POST and DELETE /documents: the bearer token, validation, and what /ask sees right after."""

import hashlib
from datetime import date

import pytest
from fastapi.testclient import TestClient

import api.writes
from api import create_app
from index import Store
from qa import QA
from qa.settings import Settings

from ..conftest import SEEDS
from ..index.test_clean import SHAPES, read_shape
from ..index.test_html import BRIDGE_URL, PAGES

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REGATTA = (
    "Glimmerfen lantern regatta won by Ilse Varnhagen\n\n"
    "Captain Ilse Varnhagen won the Glimmerfen lantern regatta on Saturday, steering her boat "
    "Moth Queen across the lake in 41 minutes.\n\n"
    "More than two hundred lantern boats took part in the race, which has been held on Lake "
    "Glimmerfen since 1952.\n"
)
QUESTION = {"question": "Who won the Glimmerfen lantern regatta?"}


def client_for(index_dir, embedder, token):
    qa = QA(index_dir, embedder=embedder)
    return qa, TestClient(create_app(Settings(index_dir=index_dir, api_token=token), service=qa))


@pytest.fixture
def client(index_copy, real_embedder):
    qa, c = client_for(index_copy, real_embedder, TOKEN)
    with c:
        yield c
    qa.close()


def test_writes_are_disabled_without_a_configured_token(index_copy, real_embedder):
    qa, c = client_for(index_copy, real_embedder, None)
    with c:
        for r in (
            c.post("/documents", json={"text": REGATTA}, headers=AUTH),
            c.delete("/documents/000_6bd1047782db996f", headers=AUTH),
        ):
            assert (r.status_code, r.json()["detail"]) == (
                403,
                "writes are disabled: set QA_API_TOKEN",
            )
        assert c.get("/documents").status_code == 200  # reading stays open
        assert len(c.get("/documents").json()) == 5
    qa.close()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
    ],
)
def test_writes_need_the_right_bearer_token(client, headers):
    for r in (
        client.post("/documents", json={"text": REGATTA}, headers=headers),
        client.delete("/documents/000_6bd1047782db996f", headers=headers),
    ):
        assert r.status_code == 401
        assert "Authorization: Bearer" in r.json()["detail"]
    assert len(client.get("/documents").json()) == 5
    assert client.post("/ask", json=QUESTION).status_code == 200


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"doc_id": "../../etc/passwd", "text": REGATTA}, "doc_id", "not a valid doc_id"),
        ({"doc_id": "a/b", "text": REGATTA}, "doc_id", "no slashes"),
        ({"doc_id": ".hidden", "text": REGATTA}, "doc_id", "starting with a letter or digit"),
        ({"doc_id": "x" * 129, "text": REGATTA}, "doc_id", "1 to 128"),
        ({"text": "  \n"}, "text", "the text is empty"),
        ({"text": "Home\nNews\nSport\nWeather"}, "text", "no article text found"),
        ({"text": REGATTA, "published": "last week"}, "published", "date"),
        ({"text": REGATTA, "author": "me"}, "author", "not permitted"),
        ({"text": REGATTA, "content_type": "text/pdf"}, "content_type", "'text/html'"),
        (
            {"text": "<html><nav><a href='/'>Home</a></nav></html>", "content_type": "text/html"},
            "text",
            "no article text found",
        ),
    ],
)
def test_bad_articles_are_refused_with_what_to_fix(client, body, field, message):
    r = client.post("/documents", json=body, headers=AUTH)
    assert r.status_code == 422
    assert r.json()["detail"].startswith(f"{field}: ") and message in r.json()["detail"]
    assert client.get("/healthz").json()["generation"] == 1


def test_add_replace_delete_round_trip(client):
    assert client.post("/ask", json=QUESTION).json()["answerable"] is False

    r = client.post("/documents", json={"doc_id": "regatta", "text": REGATTA}, headers=AUTH)
    assert (r.status_code, r.json()) == (
        201,
        {
            "doc_id": "regatta",
            "title": "Glimmerfen lantern regatta won by Ilse Varnhagen",
            "published": None,
            "chunks": 1,
            "duplicate_of": None,
            "generation": 2,
        },
    )
    body = client.post("/ask", json=QUESTION).json()  # right after the add, no waiting
    assert body["answerable"] and "Ilse Varnhagen" in body["answer"]
    text = client.get("/documents/regatta").json()["text"]
    assert text == REGATTA
    for c in body["citations"]:
        assert c["doc_id"] == "regatta" and text[c["start"] : c["end"]] == c["quote"]

    same = client.post("/documents", json={"doc_id": "regatta", "text": REGATTA}, headers=AUTH)
    assert (same.status_code, same.json()["generation"]) == (200, 2)  # nothing to write
    changed = REGATTA.replace("Ilse Varnhagen won", "Odo Brack won")
    r = client.post("/documents", json={"doc_id": "regatta", "text": changed}, headers=AUTH)
    assert (r.status_code, r.json()["generation"]) == (200, 3)
    assert "Odo Brack" in client.post("/ask", json=QUESTION).json()["answer"]

    r = client.delete("/documents/regatta", headers=AUTH)
    assert (r.status_code, r.json()) == (200, {"doc_id": "regatta", "generation": 4})
    body = client.post("/ask", json=QUESTION).json()
    assert body["answerable"] is False and body["citations"] == []
    assert client.get("/documents/regatta").status_code == 404
    assert client.delete("/documents/regatta", headers=AUTH).status_code == 404
    assert sorted(d["doc_id"] for d in client.get("/documents").json()) == sorted(
        p.stem for p in SEEDS.glob("*.txt")
    )


def test_without_a_doc_id_the_text_hash_names_it_and_given_metadata_wins(client):
    r = client.post(
        "/documents",
        json={
            "text": REGATTA,
            "title": "Regatta result",
            "published": "2025-06-07",
            "source": "https://example.org/regatta",
        },
        headers=AUTH,
    )
    doc_id = hashlib.sha1(REGATTA.encode()).hexdigest()[:16]
    assert r.status_code == 201
    assert (r.json()["doc_id"], r.json()["title"], r.json()["published"]) == (
        doc_id,
        "Regatta result",
        "2025-06-07",
    )
    doc = client.get(f"/documents/{doc_id}").json()
    assert (doc["title"], doc["published"], doc["source"]) == (
        "Regatta result",
        str(date(2025, 6, 7)),
        "https://example.org/regatta",
    )


def test_a_reprint_is_recorded_as_a_duplicate_of_the_first(client):
    original = (SEEDS / "000_6bd1047782db996f.txt").read_text()
    reprint = "Venezuela to take back migrants, Trump says\n\n" + original.split("\n", 1)[1]
    r = client.post("/documents", json={"doc_id": "reprint", "text": reprint}, headers=AUTH)
    assert r.json()["duplicate_of"] == "000_6bd1047782db996f"
    listed = {d["doc_id"]: d["duplicate_of"] for d in client.get("/documents").json()}
    assert listed["reprint"] == "000_6bd1047782db996f"
    assert listed["000_6bd1047782db996f"] is None


def test_a_write_while_another_process_writes_answers_409(
    client, index_copy, real_embedder, monkeypatch
):
    monkeypatch.setattr(api.writes, "WRITE_WAIT_SECONDS", 0.1)
    other = Store(index_copy, real_embedder.name, real_embedder.dim)
    with other.writer():
        r = client.post("/documents", json={"text": REGATTA}, headers=AUTH)
        assert r.status_code == 409 and "another process" in r.json()["detail"]
        assert client.delete("/documents/000_6bd1047782db996f", headers=AUTH).status_code == 409
    other.close()
    assert client.post("/documents", json={"text": REGATTA}, headers=AUTH).status_code == 201


def test_a_web_page_is_stored_as_its_text_with_its_metadata_and_url(client):
    page = (PAGES / "valley_courier_bridge.html").read_text()
    r = client.post(
        "/documents",
        json={"doc_id": "bridge", "text": page, "content_type": "text/html"},
        headers=AUTH,
    )
    assert r.status_code == 201
    assert (r.json()["title"], r.json()["published"]) == (
        "Bridge repairs to close High Street for six weeks",
        "2025-06-04",
    )
    doc = client.get("/documents/bridge").json()
    assert (doc["source"], doc["author"], doc["outlet"]) == (
        BRIDGE_URL,
        "Ellen Marsh",
        "The Valley Courier",
    )
    assert (
        doc["text"].startswith("Bridge repairs to close High Street") and "<p>" not in doc["text"]
    )
    body = client.post("/ask", json={"question": "How much is the bridge work costing?"}).json()
    assert body["answerable"] and "£1.2m" in body["answer"]
    for c in body["citations"]:
        assert c["doc_id"] == "bridge" and doc["text"][c["start"] : c["end"]] == c["quote"]


@pytest.mark.parametrize("shape", ["live_blog", "wire_tags", "bulleted"])
def test_the_stories_once_refused_as_chrome_are_taken(client, shape):
    """A live blog without full stops, a wire story with '(AP)' tags and a mostly bulleted
    story were each answered 422 'no article text found'."""
    text, story = read_shape(SHAPES / f"{shape}.txt")
    r = client.post("/documents", json={"doc_id": shape, "text": text}, headers=AUTH)
    assert r.status_code == 201, r.json()
    assert r.json()["chunks"] >= 1


def test_an_article_over_the_servers_limit_is_413_before_any_work(index_copy, real_embedder):
    qa = QA(index_copy, embedder=real_embedder)
    settings = Settings(index_dir=index_copy, api_token=TOKEN, max_article_chars=200)
    with TestClient(create_app(settings, service=qa)) as c:
        r = c.post("/documents", json={"text": REGATTA}, headers=AUTH)
        assert (r.status_code, r.json()) == (
            413,
            {
                "detail": f"the text is {len(REGATTA)} characters, over this server's limit of "
                "200 (QA_MAX_ARTICLE_CHARS): split the article or raise the limit"
            },
        )
        assert c.get("/healthz").json()["generation"] == 1
    qa.close()
