"""What the answering side hands back: passages, citations, answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and rank under each retriever."""

    doc_id: str
    chunk_id: int
    start: int
    end: int
    text: str
    score: float
    dense_rank: int | None = None
    bm25_rank: int | None = None


@dataclass(frozen=True)
class Citation:
    """One quoted sentence: ``quote == document.text[start:end]``."""

    n: int
    doc_id: str
    title: str
    published: date | None
    start: int
    end: int
    quote: str
    score: float


@dataclass(frozen=True)
class Conflict:
    """One of several differing values the sources give for what was asked."""

    value: str
    citation: Citation


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str | None
    answerable: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    passages: list[Hit] = field(default_factory=list)
    corroboration: list[Citation] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    reason: str | None = None  # why the answer was declined, when it was
    # P(the articles answer the question at all): below the service's threshold it declines.
    # None where no model weighed it (an answer read off an article's header line).
    answerability: float | None = None


@dataclass(frozen=True)
class StageTimes:
    """Seconds one answer spent embedding the question, retrieving passages and
    choosing the sentences to cite."""

    embed: float
    retrieve: float
    choose: float
