"""What the page says in words: confidence, a decline's reason, the collection's order."""

from datetime import date

import pytest

from api.views import confidence_words, plain_reason, sort_documents
from index.store import StoredDocument


@pytest.mark.parametrize(
    ("confidence", "answerable", "words"),
    [
        (0.9, True, "well supported"),
        (0.75, True, "well supported"),
        (0.6, True, "supported"),
        (0.4, True, "weak"),
        (0.9, False, "too weak to answer"),
    ],
)
def test_confidence_in_words(confidence, answerable, words):
    assert confidence_words(confidence, answerable) == words


def test_a_reason_reads_as_a_sentence():
    assert plain_reason("the articles never mention Australia") == (
        "The articles never mention Australia."
    )
    assert plain_reason(None) is None


def doc(doc_id, title, outlet, published):
    return StoredDocument(doc_id, title, published, None, outlet, None, "", (), "h", None)


DOCS = [
    doc("a", "banana", "CNN", date(2025, 2, 1)),
    doc("b", "Apple", None, date(2025, 1, 1)),
    doc("c", "cherry", "AP", None),
]


@pytest.mark.parametrize(
    ("by", "descending", "order"),
    [
        ("title", False, ["b", "a", "c"]),  # case does not matter
        ("title", True, ["c", "a", "b"]),
        ("published", False, ["b", "a", "c"]),  # undated last
        ("published", True, ["a", "b", "c"]),
        ("outlet", False, ["c", "a", "b"]),
    ],
)
def test_sorting_puts_empty_values_last(by, descending, order):
    assert [d.doc_id for d in sort_documents(DOCS, by, descending)] == order


def test_an_unknown_sort_lists_the_columns():
    with pytest.raises(ValueError, match="title, outlet, published, duplicate_of"):
        sort_documents(DOCS, "colour")
