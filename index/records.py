"""The records that flow from parsing to the stored index."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` of an article's original text."""

    start: int
    end: int


@dataclass(frozen=True)
class Article:
    """One parsed article: its original text plus what was read off it.

    ``body`` lists the spans of ``text`` that are the story itself; everything outside
    them (menus, share buttons, headline lists, captions, bylines) is site chrome.
    """

    doc_id: str
    text: str
    title: str
    published: date | None = None
    source: str | None = None
    outlet: str | None = None
    author: str | None = None
    body: tuple[Span, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Chunk:
    """A retrieval passage: ``text == article.text[start:end]``."""

    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A quotable sentence: ``text == article.text[start:end]``."""

    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
