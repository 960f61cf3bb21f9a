"""The packed per-sentence rows, and the packed articles, give back what they were given."""

import pytest

from index import StoredDocument
from index.records import Span
from qa.packed import EntitySpans, TermSets
from qa.packed_articles import pack, packed_texts, unpack

SETS = [{"storm", "flood"}, set(), {"flood"}, {"bridg", "close", "storm"}]


def test_each_sentence_gets_back_its_own_terms():
    terms = TermSets.of(SETS)
    assert len(terms) == len(SETS)
    assert [terms[i] for i in range(len(SETS))] == [frozenset(s) for s in SETS]
    assert terms[-1] == frozenset(SETS[-1])
    assert terms.vocabulary == ["bridg", "close", "flood", "storm"]


def test_past_the_end_is_an_index_error():
    terms = TermSets.of(SETS)
    with pytest.raises(IndexError):
        terms[len(SETS)]
    with pytest.raises(IndexError):
        terms[-len(SETS) - 1]
    assert len(TermSets.of([])) == 0


def test_each_sentence_gets_back_its_own_entities():
    given = [[(0, 5, "PERSON"), (10, 17, "GPE")], [], [(3, 8, "DATE")]]
    spans = EntitySpans.of(given)
    assert [spans[i] for i in range(len(given))] == given
    assert spans[-1] == given[-1]
    with pytest.raises(IndexError):
        spans[len(given)]
    assert len(EntitySpans.of([])) == 0


def _article(doc_id: str, text: str, paragraphs: int) -> StoredDocument:
    step = len(text) // paragraphs
    body = tuple(Span(k * step, (k + 1) * step) for k in range(paragraphs))
    return StoredDocument(
        doc_id, doc_id.title(), None, None, None, None, text, body, f"h-{doc_id}", None, 1
    )


def test_articles_packed_again_are_copied_as_bytes_never_decoded():
    first = {
        d: _article(d, t, n)
        for d, t, n in [
            ("a", "Stürme über Kiel — the harbour shut.", 2),
            ("b", "Second story, no accents.", 1),
            ("c", "Third: 3 € a ticket.", 3),
            ("d", "Fourth, and last of the first part.", 2),
        ]
    }
    arrays, objects = pack(first, {}, {})
    saved, _, _ = unpack(arrays, objects)  # as a saved segment opens them
    second = {"e": _article("e", "A story from memory, ünïcode too.", 2)}

    # "b" died: the others of the saved part are taken around it.
    merged = packed_texts([(saved, ["a", "c", "d"]), (second, ["e"])])

    assert saved._read.cache_info().currsize == 0  # no saved article was decoded
    assert list(merged) == ["a", "c", "d", "e"]
    for d, doc in [*((d, first[d]) for d in "acd"), ("e", second["e"])]:
        assert merged[d] == doc
    again, _ = pack(merged, {}, {})  # a merged segment saved: its arrays as they are
    for name in ("texts", "text_offsets", "body_spans", "body_offsets"):
        assert again[name] is merged.arrays[name]
    with pytest.raises(ValueError, match="articles taken from two parts: a"):
        packed_texts([(saved, ["a", "c"]), (first, ["a"])])
