"""Questions about the articles themselves: who wrote one, when it was published or updated."""

import pytest

from qa.about import asks_about_article

from ..conftest import build_qa

ARTICLES = {
    "wire": "Ferry sinks off Lamu\n\nPublished: 12 MAR 25 08:00 ET | Updated: 12 MAR 25 09:30 ET\n\n"
    "By Amina Otieno and Paul Kiprop, Coast Post\n\n"
    "A ferry sank off the coast of Lamu on Sunday. Twelve passengers were rescued by fishermen.\n\n"
    "The port authority opened an inquiry into the accident, officials said on Monday.",
    "daily": "Harbour reopens after storm\n\n"
    "The harbour at Mombasa reopened on Tuesday after a storm closed it for three days.\n\n"
    "Shipping lines said delays would ease by the weekend, according to the port authority.",
}


@pytest.fixture(scope="module")
def qa(tmp_path_factory, real_embedder):
    service = build_qa(tmp_path_factory.mktemp("about") / "index", real_embedder, ARTICLES)
    yield service
    service.close()


@pytest.mark.parametrize(
    ("question", "field"),
    [
        ("Who wrote the report on the ferry?", "author"),
        ("When was the article last updated?", "updated"),
        ("When was this story first published?", "published"),
        ("What date did the Coast Post publish its piece?", "published"),
        ("Who rescued the passengers?", None),
        ("When was the inquiry report published?", "published"),
        # what the story mentions was written, not the article
        ("Who wrote the letter to the mayor mentioned in this story?", None),
        ("Was the inquiry revised, according to the report?", None),
    ],
)
def test_asks_about_article(question, field):
    assert asks_about_article(question) == field


@pytest.mark.parametrize(
    ("question", "quote"),
    [
        (
            "Who wrote the report on the ferry sinking?",
            "By Amina Otieno and Paul Kiprop, Coast Post",
        ),
        ("When was the Coast Post story last updated?", "Updated: 12 MAR 25 09:30 ET"),
        ("When was the article about the ferry published?", "Published: 12 MAR 25 08:00 ET"),
    ],
)
def test_the_header_line_is_quoted_and_cited(qa, question, quote):
    a = qa.ask(question)
    assert a.answerable and a.answer == quote
    c = a.citations[0]
    assert c.doc_id == "wire" and ARTICLES["wire"][c.start : c.end] == quote
    # the header line is shown first among the passages, marked as not a chunk
    first = a.passages[0]
    assert (first.doc_id, first.chunk_id, first.text) == ("wire", -1, quote)


def test_an_article_without_a_byline_gives_no_byline_of_another(qa):
    a = qa.ask("Who wrote the article about the harbour at Mombasa reopening?")
    assert not (a.answer or "").startswith("By ")


@pytest.mark.parametrize(
    "named", [{"coast"}, {"coast", "post", "ferry", "harbour"}, {"mombasa"}, {"nowhere"}]
)
def test_header_overlap_counts_the_named_words_each_header_holds(qa, named):
    """The packed headers agree with reading every article's header afresh."""
    import re

    from qa.about import header_overlap
    from qa.articles import header

    corpus = qa.corpus
    want = {}
    for d in corpus.documents:
        n = len(named & {w.lower() for w in re.findall(r"\w+", header(corpus.documents[d]))})
        if n:
            want[d] = n
    assert header_overlap(corpus, named) == want
