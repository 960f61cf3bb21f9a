"""Which articles a question may be answered from: outlets, a date range, named articles."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from index import StoredDocument

# How many known names an error message lists before it says "and N more".
_LISTED = 12


class BadFilters(ValueError):
    """A filter the collection cannot satisfy as written; the message says what to fix."""


def outlet_key(name: str) -> str:
    """An outlet as compared: case and spacing do not matter ("cnn" is "CNN")."""
    return " ".join(re.findall(r"\w+", name.lower()))


def _listing(names: Iterable[str]) -> str:
    names = sorted(set(names), key=str.lower)
    if not names:
        return "none"
    more = f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more


@dataclass(frozen=True)
class Filters:
    """Restrict answering to articles from ``outlets``, published within
    [``published_from``, ``published_to``] (both inclusive), and among ``doc_ids``.
    An empty part restricts nothing. An article without a date never falls in a range."""

    outlets: frozenset[str] = field(default_factory=frozenset)
    published_from: date | None = None
    published_to: date | None = None
    doc_ids: frozenset[str] = field(default_factory=frozenset)
    _outlet_keys: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lo, hi = self.published_from, self.published_to
        if lo and hi and lo > hi:
            raise BadFilters(
                f"published_from ({lo}) is after published_to ({hi}); swap them or widen the range"
            )
        # Given as any iterable (a list from JSON or the command line); kept as sets.
        object.__setattr__(self, "outlets", frozenset(self.outlets))
        object.__setattr__(self, "doc_ids", frozenset(self.doc_ids))
        object.__setattr__(self, "_outlet_keys", frozenset(map(outlet_key, self.outlets)))

    @property
    def empty(self) -> bool:
        """True when nothing is restricted."""
        return not (self.outlets or self.published_from or self.published_to or self.doc_ids)

    def allows(self, doc: StoredDocument) -> bool:
        if self.doc_ids and doc.doc_id not in self.doc_ids:
            return False
        if self._outlet_keys and outlet_key(doc.outlet or "") not in self._outlet_keys:
            return False
        if self.published_from or self.published_to:
            if doc.published is None:
                return False
            if self.published_from and doc.published < self.published_from:
                return False
            if self.published_to and doc.published > self.published_to:
                return False
        return True

    def select(self, documents: Mapping[str, StoredDocument]) -> list[str]:
        """The doc_ids of ``documents`` these filters allow, in their order. Raises
        BadFilters for an outlet or doc_id the collection does not hold."""
        known = {outlet_key(d.outlet): d.outlet for d in documents.values() if d.outlet}
        if unknown := sorted(o for o in self.outlets if outlet_key(o) not in known):
            raise BadFilters(
                f"no article is from outlet {', '.join(map(repr, unknown))}; "
                f"the outlets are: {_listing(known.values())}"
            )
        if missing := sorted(self.doc_ids - documents.keys()):
            raise BadFilters(
                f"no document {', '.join(map(repr, missing[:_LISTED]))}; GET /documents lists them"
            )
        return [doc_id for doc_id, d in documents.items() if self.allows(d)]

    def describe(self) -> str:
        """The filters in words, for a reason or a heading."""
        parts = []
        if self.outlets:
            parts.append("from " + " or ".join(sorted(self.outlets)))
        if self.published_from and self.published_to:
            parts.append(f"published {self.published_from} to {self.published_to}")
        elif self.published_from:
            parts.append(f"published on or after {self.published_from}")
        elif self.published_to:
            parts.append(f"published on or before {self.published_to}")
        if self.doc_ids:
            parts.append("among " + ", ".join(sorted(self.doc_ids)))
        return ", ".join(parts) or "any article"
