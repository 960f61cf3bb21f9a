"""Sentence choice, declining, corroboration and conflicts, on tiny corpora."""

import pytest

from qa.evidence import number_in
from qa.names import unseen_names

from ..conftest import build_qa


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
    service = build_qa(tmp_path / "index", real_embedder, ARTICLES)
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


def test_the_reader_reads_the_rankers_best_two_once_each_and_the_answer_quotes_one(qa):
    from qa.rereading import READ_TOP

    assert qa.weights.reread > 0 and qa.reader is not None
    read: list[str] = []
    calls = []

    class Counting:
        def logits(self, question, sentences):
            read.extend(sentences)
            calls.append(sentences)
            return reader.logits(question, sentences)

    reader, qa.reader = qa.reader, Counting()
    a = qa.ask("How many passengers were rescued by fishermen?")
    assert len(read) == READ_TOP and len(set(read)) == READ_TOP
    assert len(calls) == 1  # together, at once
    assert a.answerable and any(c.quote in read for c in a.citations)


def test_the_passages_shown_hold_the_cited_sentences_first(qa):
    a = qa.ask("What did the port authority open after the accident?")
    assert a.answerable
    first = a.passages[0]
    for c in a.citations:
        assert c.doc_id == first.doc_id and first.start <= c.start and c.end <= first.end


PIER = (
    "Kilifi pier plan\n\nThe harbour at Kilifi has grown quickly over the past decade, with new "
    "warehouses, a fish market and a ferry landing built along the old sea wall. Traders say the "
    "quay is crowded from dawn, and lorries queue for hours on the coast road to load and unload "
    "their cargo. Fishermen complain that their boats have nowhere to moor when the cargo ships "
    "arrive. The county council has debated plans for a second quay for three years without "
    "agreeing on a site. The harbour master, Amina Salim, who has run the port since 2015 and sits "
    "on the county's transport board, spoke to reporters at the quay on Tuesday morning.\n\n"
    "She said the new pier would cost nine million shillings to build."
)


def test_the_passage_of_the_best_sentence_leads_when_the_answer_takes_one_before_it(
    tmp_path, real_embedder
):
    # The best sentence leans on the one before it ("She said…"), which lies in another
    # passage: the passage holding the best one still comes first.
    service = build_qa(tmp_path / "index", real_embedder, {"pier": PIER})
    try:
        a = service.ask("How much will the new pier cost to build?")
    finally:
        service.close()
    assert a.answerable and len(a.citations) == 2, a
    best = max(a.citations, key=lambda c: c.score)
    assert "nine million shillings" in best.quote
    first = a.passages[0]
    assert first.start <= best.start and best.end <= first.end
    assert not first.start <= a.citations[0].start < first.end  # the sentence before is not


def test_corroboration_counts_a_reprint_once_and_conflicts_show_both_counts(qa):
    a = qa.ask("How many passengers were rescued by fishermen?")
    cited = {a.citations[0].doc_id, *(c.doc_id for c in a.corroboration)}
    assert not {"a-wire", "b-reprint"} <= cited  # the reprint is not independent
    assert "c-other" in cited
    assert {c.value for c in a.conflicts} == {"12", "14"}


def test_a_name_no_article_uses_is_declined_with_the_name(qa):
    a = qa.ask("How many passengers were rescued off the coast of Zanzibar?")
    assert not a.answerable and "Zanzibar" in a.reason
    # a shared stem is enough: "Lamu's" is the Lamu the articles name
    assert unseen_names(qa.corpus, "Who rescued the passengers off Lamu's coast?") == []
    assert unseen_names(qa.corpus, "Who rescued the passengers off Lámu?") == []  # accents
    assert unseen_names(qa.corpus, "Was the ferry built in 1988 or 1989?") == ["1989"]
    # titles and title case are not taken for unknown names
    assert unseen_names(qa.corpus, "Did Mr Lamu's port reopen?") == []
    assert unseen_names(qa.corpus, "How Many Passengers Were Rescued Off Lamu?") == []


def test_a_question_for_a_count_is_declined_when_the_best_sentence_holds_none(qa):
    a = qa.ask("How many inquiries did the port authority open?")
    assert not a.answerable and "number" in a.reason


def test_a_sentence_saying_it_is_not_known_is_quoted_in_the_decline(tmp_path, real_embedder):
    text = (
        "Ferry sinks\n\nA ferry sank off the coast of Lamu on Sunday with forty people aboard.\n\n"
        "Police did not name the captain of the ferry, who survived the sinking.\n\n"
        "The port authority opened an inquiry into the accident."
    )
    service = build_qa(tmp_path / "index", real_embedder, {"d": text})
    a = service.ask("What is the name of the captain of the ferry?")
    service.close()
    assert not a.answerable and a.reason == "the articles say this is not known"
    assert a.citations and "did not name the captain" in a.citations[0].quote


def test_an_abbreviation_the_articles_never_use_is_spelt_out(tmp_path, real_embedder):
    text = (
        "Port chief resigns\n\nThe port authority's chief executive, Amina Otieno, resigned on "
        "Monday after the ferry sank off Lamu.\n\nThe ICU at Lamu hospital treated four people."
    )
    service = build_qa(tmp_path / "index", real_embedder, {"d": text})
    corpus = service.corpus
    # "CEO" is not in the article, "ICU" is: only the first is read as its long form
    assert corpus.spell_out("Who was the CEO?") == "Who was the chief executive?"
    assert corpus.spell_out("How many were in the ICU?") == "How many were in the ICU?"
    a = service.ask("Who was the port authority's CEO?")
    service.close()
    assert a.answerable and "Amina Otieno" in a.answer


def test_the_decline_reads_the_answerability_and_the_answer_shows_the_confidence(qa):
    """Two models weigh the winner: whether the articles answer at all decides the decline;
    whether this answer is right is the confidence shown with it."""
    from dataclasses import replace

    from qa.trees import Trees

    question = "How many passengers were rescued by fishermen?"
    fitted = qa.weights
    try:
        # Trees with no tree: their answerability is the initial log-odds alone.
        never, always = (Trees((), init, 1.0, ()) for init in (-50.0, 50.0))
        qa.weights = replace(
            fitted, confidence={"bias": 50.0}, answerable={"bias": -50.0}, answerable_trees=never
        )
        sure_but_unanswerable = qa.ask(question)
        qa.weights = replace(
            fitted, confidence={"bias": -50.0}, answerable={"bias": 50.0}, answerable_trees=always
        )
        answerable_but_unsure = qa.ask(question)
    finally:
        qa.weights = fitted
    assert not sure_but_unanswerable.answerable
    assert sure_but_unanswerable.confidence == 0.0  # no surer than the answerability
    assert sure_but_unanswerable.answerability == 0.0
    assert (
        answerable_but_unsure.answerable and "rescued by fishermen" in answerable_but_unsure.answer
    )
    assert answerable_but_unsure.confidence == 0.0
    assert answerable_but_unsure.answerability == 1.0  # shown beside the answer, apart
