"""A narrowed corpus: retrieval and answering see only the allowed articles, still get
their top k, and rank them exactly as the whole corpus does (the oracle)."""

from datetime import date

import numpy as np
import pytest

from qa import Filters, retrieve

from ..conftest import build_qa

ARTICLES = {
    "h1": " date 2025-01-05 Storm shuts harbour\n\nBy Ann Lee, Coast Herald\n\n"
    "A violent storm shut the harbour at Port Elin on Monday.\n\n"
    "Fishing boats stayed at their moorings for three days.",
    "h2": " date 2025-01-06 Harbour reopens\n\nBy Ann Lee, Coast Herald\n\n"
    "The harbour at Port Elin reopened on Thursday after the storm.\n\n"
    "Harbour officials said the storm damaged two piers.",
    "w1": " date 2025-01-05 Storm hits the coast\n\nBy Bo Chan, Daily Wire\n\n"
    "The storm that shut the harbour at Port Elin flooded the coast road.\n\n"
    "The harbour storm cost the town a week of fishing.",
    "w2": " date 2025-01-07 Council budget\n\nBy Bo Chan, Daily Wire\n\n"
    "The council approved a budget for the harbour repairs after the storm.",
    "z": " date 2025-02-01 Panda arrives\n\nBy Cy Diaz, Zoo News\n\n"
    "A giant panda arrived at the city zoo from Chengdu on Friday.",
}
HERALD = ["h1", "h2"]


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    from ..conftest import FakeEmbedder

    service = build_qa(tmp_path_factory.mktemp("narrow") / "index", FakeEmbedder(), ARTICLES)
    yield service
    service.close()


def test_a_narrowed_corpus_weighs_words_as_the_whole_collection_does(qa):
    part = qa.corpus.narrowed(["z"])
    for word in ("harbour", "panda", "storm", "nowhere"):
        assert part.idf(word) == qa.corpus.idf(word)
    assert part.words_with_prefix("harb") == qa.corpus.words_with_prefix("harb")


def test_the_outlets_are_read_off_the_bylines(qa):
    assert {d.outlet for d in qa.corpus.documents.values()} == {
        "Coast Herald",
        "Daily Wire",
        "Zoo News",
    }


@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_a_narrowed_ranking_is_the_whole_ranking_of_the_allowed_articles(qa, mode):
    question = "storm harbour Port Elin"
    query = qa.embed_question(question)
    whole = retrieve(qa.corpus, question, query, top_k=50, mode=mode)
    part = retrieve(qa.corpus.narrowed(HERALD), question, query, top_k=50, mode=mode)
    expected = [(h.doc_id, h.chunk_id) for h in whole if h.doc_id in HERALD]
    assert [(h.doc_id, h.chunk_id) for h in part] == expected
    assert [h.text for h in part] == [h.text for h in whole if h.doc_id in HERALD]


def test_a_filtered_question_still_gets_its_top_k(qa):
    question = "storm harbour Port Elin"
    query = qa.embed_question(question)
    allowed = qa.documents(Filters(outlets=frozenset({"coast herald"})))
    allowed_ids = [d.doc_id for d in allowed]
    assert allowed_ids == HERALD
    top_k = sum(d.chunks for d in allowed)
    whole = retrieve(qa.corpus, question, query, top_k=top_k)
    # Dropping the others afterwards would leave fewer than top_k passages.
    assert len([h for h in whole if h.doc_id in HERALD]) < top_k
    part = retrieve(qa.corpus.narrowed(allowed_ids), question, query, top_k=top_k)
    assert len(part) == top_k and {h.doc_id for h in part} == set(HERALD)


def test_a_narrowed_corpus_holds_the_allowed_articles_under_the_same_ids(qa):
    whole = qa.corpus
    part = whole.narrowed(["w2", "h2"])
    assert set(part.documents) == {"h2", "w2"} and len(part.documents) == 2
    assert set(part.doc_sentences) == {"h2", "w2"}
    for doc_id in ("h2", "w2"):
        assert np.array_equal(part.doc_sentences[doc_id], whole.doc_sentences[doc_id])
        for i in part.doc_sentences[doc_id].tolist():
            assert part.sentences[i] == whole.sentences[i]
            assert np.array_equal(part.sentence_vectors[i], whole.sentence_vectors[i])
            c = part.chunks[part.sentence_chunk[i]]
            assert c.doc_id == doc_id and c.start < part.sentences[i].end
        chunk = part.chunk_id(doc_id, 0)
        assert part.chunks[chunk] == whole.chunks[whole.chunk_id(doc_id, 0)]
    with pytest.raises(KeyError):
        part.chunk_id("h1", 0)
    found = {part.chunks[c].doc_id for c in part.nearest_chunks(qa.embed_question("storm"), 50)}
    assert found == {"h2", "w2"}
    assert part.chunk_count == sum(d.chunks for d in part.documents.values())
    assert dict(part.sources) == {
        "daily wire": frozenset({"w2"}),
        "coast herald": frozenset({"h2"}),
        "ann lee": frozenset({"h2"}),
        "bo chan": frozenset({"w2"}),
    }


def test_ask_answers_from_the_filtered_articles_only(qa):
    filters = Filters(published_from=date(2025, 1, 6), published_to=date(2025, 1, 31))
    result = qa.ask("What did the storm damage at the harbour?", filters=filters)
    allowed = {"h2", "w2"}
    assert result.passages and {p.doc_id for p in result.passages} <= allowed
    quoted = result.citations + result.corroboration + [c.citation for c in result.conflicts]
    assert {c.doc_id for c in quoted} <= allowed


def test_ask_with_filters_no_article_meets_declines_saying_so(qa):
    result = qa.ask(
        "Where did the panda come from?", filters=Filters(published_from=date(2030, 1, 1))
    )
    assert not result.answerable
    assert result.reason == "no article matches the filters (published on or after 2030-01-01)"
