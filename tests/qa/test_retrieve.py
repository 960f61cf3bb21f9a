"""Retrieval on a tiny corpus with the fake embedder: exact rankings, and fusion oracles."""

import pytest

from index import Store
from qa import QA, retrieve

from ..conftest import build_qa

ARTICLES = {
    "harbour": "Harbour closes\n\nThe harbour in Port Elin closed on Monday after a violent storm.\n\n"
    "Fishing boats stayed at their moorings for three days.",
    "budget": "Budget passes\n\nThe city council approved a budget of 4,000,000 euros for new schools.\n\n"
    "The vote was seven to two.",
    "zoo": "Zoo welcomes panda\n\nA giant panda named Lin arrived at the city zoo from Chengdu on Friday.\n\n"
    "Keepers said she ate bamboo within an hour.",
}


@pytest.fixture
def qa(tmp_path, fake_embedder):
    service = build_qa(tmp_path / "index", fake_embedder, ARTICLES)
    yield service
    service.close()


@pytest.mark.parametrize(
    ("question", "doc_id"),
    [
        ("Why did the harbour in Port Elin close?", "harbour"),
        ("How much money did the council approve for schools?", "budget"),
        ("Where did the panda Lin come from?", "zoo"),
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_each_retriever_ranks_the_right_article_first(qa, question, doc_id, mode):
    query = qa.embed_question(question)
    hits = retrieve(qa.corpus, question, query, top_k=3, mode=mode)
    assert hits[0].doc_id == doc_id


def test_hybrid_holds_what_either_retriever_ranks_first(qa):
    question = "panda bamboo keepers"
    query = qa.embed_question(question)
    fused = {h.doc_id for h in retrieve(qa.corpus, question, query, top_k=2, mode="hybrid")}
    for mode in ("dense", "bm25"):
        assert retrieve(qa.corpus, question, query, top_k=1, mode=mode)[0].doc_id in fused


def test_passages_are_the_text_at_their_offsets(qa):
    hits = retrieve(qa.corpus, "storm", qa.embed_question("storm"), top_k=5)
    for h in hits:
        assert qa.corpus.documents[h.doc_id].text[h.start : h.end] == h.text


def test_unknown_mode_lists_the_valid_ones(qa):
    with pytest.raises(ValueError, match="hybrid, dense, bm25"):
        retrieve(qa.corpus, "x", qa.embed_question("x"), mode="magic")


def test_empty_index_declines(tmp_path, fake_embedder):
    Store(tmp_path / "empty", fake_embedder.name, fake_embedder.dim).close()
    service = QA(tmp_path / "empty", embedder=fake_embedder)
    a = service.ask("Anything at all?")
    assert (a.answerable, a.answer, a.passages) == (False, None, [])
    assert "no articles" in a.reason
