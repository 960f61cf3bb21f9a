"""The packed per-sentence rows give back what they were given."""

import pytest

from qa.packed import EntitySpans, TermSets

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
