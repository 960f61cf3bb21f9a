"""What the web page says in words: confidence, reasons, and the collection's order."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from index import StoredDocument

# Confidence bands for an answer given (P(it is right)); whether to answer at all is the
# answerability model's call, against its own threshold (qa/select.py).
WELL_SUPPORTED = 0.75
SUPPORTED = 0.5

SORTS = ("title", "outlet", "published", "duplicate_of")


def confidence_words(confidence: float, answerable: bool) -> str:
    """How sure the answer is, as a reader would say it."""
    if not answerable:
        return "too weak to answer"
    if confidence >= WELL_SUPPORTED:
        return "well supported"
    if confidence >= SUPPORTED:
        return "supported"
    return "weak"


def plain_reason(reason: str | None) -> str | None:
    """A decline's reason as a sentence: "The articles never mention Australia." """
    if not reason:
        return None
    reason = reason.strip()
    return reason[:1].upper() + reason[1:] + ("" if reason.endswith(".") else ".")


def sort_documents(
    documents: Iterable[StoredDocument], by: str, descending: bool = False
) -> list[StoredDocument]:
    """``documents`` ordered by the column ``by``; an empty value sorts last either way."""
    if by not in SORTS:
        raise ValueError(f"unknown sort {by!r}; choose one of {', '.join(SORTS)}")

    def value(d: StoredDocument) -> str | None:
        v = getattr(d, by)
        if v is None:
            return None
        return v.isoformat() if isinstance(v, date) else str(v).lower()

    docs = list(documents)
    present = [d for d in docs if value(d) is not None]
    missing = [d for d in docs if value(d) is None]
    present.sort(key=lambda d: (value(d) or "", d.doc_id), reverse=descending)
    return present + missing
