"""Sentence choice, kinds of question, corroboration and conflicts, on tiny corpora."""

import pytest

from index import Store, parse, update
from qa import QA
from qa.answer import holds_kind, question_kind
from qa.evidence import number_in


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people died?", "number"),
        ("When did the talks start?", "date"),
        ("In which year was it built?", "date"),
        ("Who met the president?", "who"),
        ("Which envoy travelled to Caracas?", "who"),
        ("Where did the plane land?", "place"),
        ("Why did the harbour close?", None),
    ],
)
def test_question_kind(question, kind):
    assert question_kind(question) == kind


def test_holds_kind():
    assert holds_kind("Six people were rescued.", "number", "How many?") == 1.0
    assert holds_kind("People were rescued.", "number", "How many?") == 0.0
    assert holds_kind("They met on Jan. 31 in the capital.", "date", "When?") == 1.0
    assert holds_kind("The envoy Richard Grenell flew in.", "who", "Who flew in?") == 1.0
    # a name already in the question is no answer to "who"
    assert holds_kind("Richard Grenell flew in.", "who", "Who is Richard Grenell?") == 0.0
    assert holds_kind("Anything", None, "Why?") == 0.5


@pytest.mark.parametrize(
    ("sentence", "number"),
    [
        ("He met Maduro on Jan. 31 and brought back six American citizens.", "6"),
        ("In 2022, over 13,000 people left.", "13000"),
        ("No count here.", None),
    ],
)
def test_number_in_skips_dates(sentence, number):
    assert number_in(sentence) == number


ARTICLES = {
    "a-wire": "Ferry sinks\n\nA ferry sank off the coast of Lamu on Sunday. Twelve passengers were rescued by fishermen. "
    "The ferry was built in 1988.\n\nThe port authority opened an inquiry into the accident.",
    "b-reprint": "Ferry sinks off Lamu\n\nA ferry sank off the coast of Lamu on Sunday. Twelve passengers were rescued by fishermen. "
    "The ferry was built in 1988.\n\nThe port authority opened an inquiry into the accident.",
    "c-other": "Lamu ferry disaster\n\nRescuers said fourteen passengers were rescued by fishermen after the ferry sank off Lamu.\n\n"
    "The governor visited the harbour on Monday and praised the fishermen.",
}


@pytest.fixture
def qa(tmp_path, real_embedder):
    """The real model: whether two sentences state the same fact is its judgement."""
    store = Store(tmp_path / "index", real_embedder.name, real_embedder.dim)
    for doc_id in sorted(ARTICLES):  # one by one: the reprint arrives after the original
        update(store, [parse(ARTICLES[doc_id], doc_id)], lambda: real_embedder)
    store.close()
    service = QA(tmp_path / "index", embedder=real_embedder)
    yield service
    service.close()


def test_reprint_is_recorded_as_a_duplicate(qa):
    docs = qa.corpus.documents
    assert docs["b-reprint"].duplicate_of == "a-wire"
    assert docs["a-wire"].duplicate_of is None and docs["c-other"].duplicate_of is None


def test_answer_is_a_cited_sentence(qa):
    a = qa.ask("How many passengers were rescued by fishermen?")
    assert a.answerable
    assert "rescued by fishermen" in a.answer
    for c in a.citations + a.corroboration:
        assert qa.corpus.documents[c.doc_id].text[c.start : c.end] == c.quote


def test_corroboration_counts_a_reprint_once_and_conflicts_show_both_counts(qa):
    a = qa.ask("How many passengers were rescued by fishermen?")
    cited = {a.citations[0].doc_id, *(c.doc_id for c in a.corroboration)}
    assert not {"a-wire", "b-reprint"} <= cited  # the reprint is not independent
    assert "c-other" in cited
    assert {c.value for c in a.conflicts} == {"12", "14"}
