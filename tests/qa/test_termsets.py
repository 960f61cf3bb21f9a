"""TermSets gives back each sentence's terms as they were given."""

import pytest

from qa.termsets import TermSets

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
