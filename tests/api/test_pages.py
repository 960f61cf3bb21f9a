"""The web page as HTML (the browser tests drive it): escaping, the quote's <mark>, and
nothing fetched from anywhere but this app."""

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.pages import _templates
from api.views import plain_reason
from qa import Answer, Citation
from qa.settings import Settings

CNN = "003_1fbe0b5a43a135b8"


@pytest.fixture(scope="module")
def client(seed_qa, seed_index):
    with TestClient(create_app(Settings(index_dir=seed_index), service=seed_qa)) as c:
        yield c


def test_the_answer_marks_each_quote_exactly(client):
    question = "Who did Trump send to meet Maduro?"
    page = client.get("/", params={"question": question})
    api = client.post("/ask", json={"question": question}).json()
    assert page.status_code == 200
    marks = re.findall(r'<mark data-n="\d+">(.*?)</mark>', page.text, re.S)
    assert [html.unescape(m) for m in marks] == [c["quote"] for c in api["citations"]]
    for c in api["citations"]:
        assert f'href="/articles/{c["doc_id"]}?start={c["start"]}&amp;end={c["end"]}#quote"' in (
            page.text
        )


def test_the_article_marks_the_span_at_its_offsets(client):
    text = client.get(f"/documents/{CNN}").json()["text"]
    page = client.get(f"/articles/{CNN}", params={"start": 100, "end": 160})
    body = re.search(r'<div class="article-text"[^>]*>(.*?)</div>', page.text, re.S).group(1)
    before, quote = re.match(r'(.*?)<mark id="quote"[^>]*>(.*?)</mark>', body, re.S).groups()
    assert len(html.unescape(before)) == 100 and html.unescape(quote) == text[100:160]
    assert html.unescape(re.sub(r"<[^>]+>", "", body)) == text


@pytest.mark.parametrize("span", [{"start": 50, "end": 10}, {"start": 0, "end": 10**6}, {"end": 5}])
def test_a_span_outside_the_article_is_said_and_nothing_marked(client, span):
    page = client.get(f"/articles/{CNN}", params=span)
    assert page.status_code == 422
    assert "is not within this article" in page.text and "<mark" not in page.text


def test_an_unknown_article_is_a_404(client):
    assert client.get("/articles/nope").status_code == 404


def test_a_question_is_escaped(client):
    page = client.get("/", params={"question": "<script>alert(1)</script> Maduro?"})
    assert "<script>alert" not in page.text and "&lt;script&gt;alert(1)" in page.text


def test_a_bad_filter_is_said_on_the_page(client):
    page = client.get("/", params={"question": "What did Maduro offer?", "outlet": "BBC"})
    assert page.status_code == 422
    assert "no article is from outlet &#39;BBC&#39;; the outlets are: CNN" in page.text


@pytest.mark.parametrize("path", ["/", "/collection", f"/articles/{CNN}?start=0&end=5"])
def test_every_asset_is_this_apps_own(client, path):
    page = client.get(path)
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert refs and all(r.startswith(("/", "#", "data:")) for r in refs), refs
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200


def test_the_collection_searches_and_sorts(client):
    # The two headlines naming both words ("Six Americans... after his envoy met with the
    # country's authoritarian leader Nicolás Maduro"; "Venezuela's Maduro offers..."), by
    # title, descending (the default order).
    page = client.get("/collection", params={"search": "venezuela maduro", "sort": "title"})
    rows = re.findall(r'<tr data-doc-id="([^"]+)"', page.text)
    assert rows == ["004_d437317e571d7d5a", CNN]
    page = client.get("/collection", params={"sort": "published", "order": "asc"})
    rows = re.findall(r'<tr data-doc-id="([^"]+)"', page.text)
    assert rows[:2] == ["000_6bd1047782db996f", CNN] and rows[2] == "004_d437317e571d7d5a"
    assert "Adding and deleting articles is off" in page.text  # no token set


def test_a_decline_quotes_the_sentence_saying_it_is_not_known():
    quote = "The cause of the fire is not yet known."
    cited = Citation(1, "d1", "Fire <b>at</b> the mill", date(2025, 2, 1), 40, 79, quote, 0.3)
    result = Answer(
        "What caused the fire?", None, False, 0.1, [cited], reason="x", answerability=0.2
    )
    page = _templates.get_template("ask.html").render(
        form={"q": result.question, "outlets": []},
        result=result,
        documents={},
        confidence="too weak to answer",
        reason=plain_reason("the articles say this is not known"),
    )
    assert '<p class="reason">The articles say this is not known.</p>' in page
    assert f'<mark data-n="1">{quote}</mark>' in page
    assert 'href="/articles/d1?start=40&amp;end=79#quote"' in page
    assert "Fire &lt;b&gt;at&lt;/b&gt; the mill" in page
    assert "(answerability 0.20)" in page
