"""Filters over HTTP: /ask answers from the allowed articles only, /documents lists and
pages them, and a filter the collection cannot meet gets a 422 saying what to fix."""

import pytest
from fastapi.testclient import TestClient

from api import create_app
from qa.settings import Settings

CNN = "003_1fbe0b5a43a135b8"


@pytest.fixture(scope="module")
def client(seed_qa, seed_index):
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)) as c:
        yield c


def cited(body: dict) -> set[str]:
    quoted = body["citations"] + body["corroboration"] + [k["citation"] for k in body["conflicts"]]
    return {c["doc_id"] for c in quoted} | {p["doc_id"] for p in body["passages"]}


def test_an_outlet_filter_answers_from_that_outlet_only(client):
    question = "What did Maduro offer?"
    whole = client.post("/ask", json={"question": question}).json()
    assert cited(whole) - {CNN}, "unfiltered, other outlets answer too"
    body = client.post("/ask", json={"question": question, "filters": {"outlets": ["cnn"]}})
    assert body.status_code == 200
    assert cited(body.json()) == {CNN}
    assert len(body.json()["passages"]) == 5  # still its top k, all from CNN


def test_a_date_range_and_doc_ids_narrow_the_passages(client):
    filters = {"published_from": "2025-09-01", "doc_ids": ["004_d437317e571d7d5a", CNN]}
    body = client.post("/ask", json={"question": "What did Maduro offer?", "filters": filters})
    assert cited(body.json()) == {"004_d437317e571d7d5a"}


def test_filters_no_article_meets_decline_saying_so(client):
    filters = {"published_from": "2030-01-01"}
    body = client.post("/ask", json={"question": "What did Maduro offer?", "filters": filters})
    assert body.status_code == 200
    assert body.json()["answerable"] is False
    assert "no article matches the filters" in body.json()["reason"]


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        ({"outlets": ["Reuters"]}, "no article is from outlet 'Reuters'; the outlets are: CNN"),
        ({"published_from": "2025-02-30"}, "filters.published_from"),
        ({"published_from": "1 Feb 2025"}, "filters.published_from"),
        (
            {"published_from": "2025-03-01", "published_to": "2025-02-01"},
            "published_from (2025-03-01) is after published_to (2025-02-01); swap them",
        ),
        ({"doc_ids": ["nope"]}, "no document 'nope'"),
        ({"outlet": "CNN"}, "filters.outlet: Extra inputs are not permitted"),
    ],
)
def test_a_filter_that_cannot_be_met_gets_a_422_saying_what_to_fix(client, filters, fragment):
    r = client.post("/ask", json={"question": "What did Maduro offer?", "filters": filters})
    assert r.status_code == 422
    assert fragment in r.json()["detail"]


def test_documents_takes_the_same_filters_and_pages(client):
    everything = client.get("/documents")
    assert everything.headers["X-Total-Count"] == "5"
    ids = [d["doc_id"] for d in everything.json()]
    page = client.get("/documents", params={"limit": 2, "offset": 1})
    assert [d["doc_id"] for d in page.json()] == ids[1:3]
    assert page.headers["X-Total-Count"] == "5"
    cnn = client.get("/documents", params={"outlets": "CNN"}).json()
    assert [(d["doc_id"], d["outlet"]) for d in cnn] == [(CNN, "CNN")]
    dated = client.get("/documents", params={"published_to": "2025-02-01"})
    assert [d["doc_id"] for d in dated.json()] == ["000_6bd1047782db996f", CNN]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"published_from": "2025-03-01", "published_to": "2025-02-01"}, "swap them"),
        ({"outlets": "BBC"}, "the outlets are: CNN"),
        ({"limit": 0}, "query.limit"),
        ({"published_from": "soon"}, "query.published_from"),
    ],
)
def test_documents_rejects_filters_it_cannot_meet(client, params, fragment):
    r = client.get("/documents", params=params)
    assert r.status_code == 422 and fragment in r.json()["detail"]


def test_the_filters_are_in_the_openapi_contract(client):
    spec = client.get("/openapi.json").json()
    ask = spec["components"]["schemas"]["AskRequest"]["properties"]
    assert "filters" in ask
    params = {p["name"] for p in spec["paths"]["/documents"]["get"]["parameters"]}
    assert params == {"outlets", "published_from", "published_to", "doc_ids", "limit", "offset"}
