"""A narrowed corpus: retrieval and answering see only the allowed articles, still get
their top k, and rank them exactly as the whole corpus does (the oracle)."""

from dataclasses import fields
from datetime import date

import numpy as np
import pytest

from qa import Filters, retrieve
from qa.corpus import Corpus
from qa.narrow import KEPT_WHOLE, NARROWED, narrow

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


def test_every_corpus_field_is_kept_whole_or_narrowed():
    names = {f.name for f in fields(Corpus)}
    assert not KEPT_WHOLE & NARROWED
    assert names == KEPT_WHOLE | NARROWED, "decide how narrow() treats each new Corpus field"


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
    part = retrieve(narrow(qa.corpus, HERALD), question, query, top_k=50, mode=mode)
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
    part = retrieve(narrow(qa.corpus, allowed_ids), question, query, top_k=top_k)
    assert len(part) == top_k and {h.doc_id for h in part} == set(HERALD)


def test_a_narrowed_corpus_holds_the_allowed_sentences_with_their_vectors(qa):
    whole = qa.corpus
    part = narrow(whole, ["w2", "h2"])
    assert set(part.documents) == {"h2", "w2"}
    position = {(s.doc_id, s.start): i for i, s in enumerate(whole.sentences)}
    assert {s.doc_id for s in part.sentences} == {"h2", "w2"}
    for i, s in enumerate(part.sentences):
        j = position[(s.doc_id, s.start)]
        assert whole.sentences[j] == s
        assert np.array_equal(part.sentence_vectors[i], whole.sentence_vectors[j])
        assert part.sentence_terms[i] == whole.sentence_terms[j]
        c = part.chunks[part.sentence_chunk[i]]
        assert c.doc_id == s.doc_id and c.start < s.end and s.start < c.end
    for c, ids in enumerate(part.chunk_sentences):
        chunk = part.chunks[c]
        assert part.chunk_position[(chunk.doc_id, chunk.ordinal)] == c
        assert all(part.sentences[i].doc_id == chunk.doc_id for i in ids.tolist())
    for doc_id, ids in part.doc_sentences.items():
        assert {part.sentences[i].doc_id for i in ids.tolist()} == {doc_id}
    assert part.sources == {
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
