"""Filters: which articles they allow, and the messages for what cannot be satisfied."""

from datetime import date

import pytest

from index import parse
from index.store import StoredDocument
from qa import BadFilters, Filters


def doc(doc_id: str, outlet: str | None, published: date | None) -> StoredDocument:
    a = parse(f"Headline {doc_id}\n\nA sentence long enough to be the story of {doc_id}.", doc_id)
    return StoredDocument(doc_id, a.title, published, None, outlet, None, a.text, a.body, "h", None)


DOCS = {
    d.doc_id: d
    for d in [
        doc("a", "CNN", date(2025, 2, 1)),
        doc("b", "Reuters", date(2025, 2, 3)),
        doc("c", "CNN", date(2025, 3, 1)),
        doc("d", None, None),
    ]
}


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (Filters(), ["a", "b", "c", "d"]),
        (Filters(outlets=frozenset({"cnn"})), ["a", "c"]),  # any case
        (Filters(outlets=frozenset({"CNN", "Reuters"})), ["a", "b", "c"]),
        (Filters(published_from=date(2025, 2, 3)), ["b", "c"]),  # inclusive; undated left out
        (Filters(published_to=date(2025, 2, 3)), ["a", "b"]),
        (Filters(published_from=date(2025, 2, 2), published_to=date(2025, 2, 28)), ["b"]),
        (Filters(outlets=frozenset({"CNN"}), doc_ids=frozenset({"c", "b"})), ["c"]),
        (Filters(published_from=date(2026, 1, 1)), []),
    ],
)
def test_select_keeps_what_every_part_allows(filters, allowed):
    assert filters.select(DOCS) == allowed


def test_a_reversed_range_says_to_swap_the_dates():
    with pytest.raises(BadFilters, match=r"published_from \(2025-03-01\) is after .* swap"):
        Filters(published_from=date(2025, 3, 1), published_to=date(2025, 2, 1))


def test_an_unknown_outlet_lists_the_known_ones():
    with pytest.raises(BadFilters, match=r"'Al Jazeera'.*the outlets are: CNN, Reuters"):
        Filters(outlets=frozenset({"Al Jazeera", "CNN"})).select(DOCS)


def test_an_unknown_doc_id_is_named():
    with pytest.raises(BadFilters, match=r"no document 'zz'"):
        Filters(doc_ids=frozenset({"zz", "a"})).select(DOCS)


def test_lists_become_sets_and_filters_compare_by_value():
    assert Filters(outlets=["CNN", "CNN"]) == Filters(outlets=frozenset({"CNN"}))  # type: ignore[arg-type]
    assert Filters().empty and not Filters(doc_ids=frozenset({"a"})).empty
    assert "from CNN" in Filters(outlets=frozenset({"CNN"})).describe()
