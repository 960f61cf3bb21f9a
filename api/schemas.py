"""The HTTP contract: request and response bodies."""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from qa import Filters

MAX_QUESTION_CHARS = 2000


class FiltersIn(BaseModel):
    """Which articles to answer from; every part is optional and they combine with AND."""

    model_config = ConfigDict(extra="forbid")

    outlets: list[str] = Field(
        default_factory=list, description="Only articles from these outlets (any case)"
    )
    published_from: date | None = Field(None, description="Published on or after, YYYY-MM-DD")
    published_to: date | None = Field(None, description="Published on or before, YYYY-MM-DD")
    doc_ids: list[str] = Field(default_factory=list, description="Only these articles")

    @field_validator("published_from", "published_to", mode="before")
    @classmethod
    def _calendar_date(cls, v: object) -> object:
        # pydantic would read a number (0, "0") as seconds since 1970; the schema says a
        # date, so only YYYY-MM-DD (or a date) is taken.
        if v is None or isinstance(v, date):
            return v
        if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError(f"{str(v)[:40]!r} is not a date: use YYYY-MM-DD")
        return v

    @model_validator(mode="after")
    def _ordered(self) -> FiltersIn:
        self.to_filters()  # a reversed range raises, saying to swap the dates
        return self

    def to_filters(self) -> Filters:
        return Filters(
            outlets=frozenset(self.outlets),
            published_from=self.published_from,
            published_to=self.published_to,
            doc_ids=frozenset(self.doc_ids),
        )


class DocumentsQuery(FiltersIn):
    """GET /documents: the filters of /ask as query parameters, and a page of the matches."""

    limit: int = Field(100, ge=1, le=1000, description="Page size")
    offset: int = Field(0, ge=0, description="Matches to skip")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        description="The question, in plain words: up to "
        f"{MAX_QUESTION_CHARS} characters, not only spaces",
        max_length=MAX_QUESTION_CHARS,
        # The rule below, stated for clients: at least one character that is not a space.
        json_schema_extra={"pattern": r"\S"},
    )
    top_k: int = Field(5, ge=1, le=50, description="How many passages to retrieve")
    filters: FiltersIn | None = Field(
        None, description="Answer only from these articles; retrieval is restricted before ranking"
    )

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the question is empty; send a question in plain words")
        return v


class CitationOut(BaseModel):
    n: int
    doc_id: str
    title: str
    published: date | None
    start: int
    end: int
    quote: str
    score: float


class PassageOut(BaseModel):
    doc_id: str
    chunk_id: int = Field(
        description="the passage's chunk in its article; -1 for a header line (byline, dates)"
    )
    start: int
    end: int
    text: str
    score: float


class ConflictOut(BaseModel):
    value: str
    citation: CitationOut


class AskResponse(BaseModel):
    question: str
    answer: str | None
    answerable: bool
    confidence: float = Field(
        ge=0,
        le=1,
        description="P(the answer is right); on a decline, at most P(the articles answer it)",
    )
    citations: list[CitationOut]
    passages: list[PassageOut]
    corroboration: list[CitationOut] = Field(
        description="Sentences from other, independent articles stating the same fact"
    )
    conflicts: list[ConflictOut] = Field(
        description="Differing values the sources give for what was asked, newest first"
    )
    reason: str | None = Field(None, description="Why the answer was declined, when it was")
    answerability: float | None = Field(
        None,
        ge=0,
        le=1,
        description=(
            "P(the articles answer the question at all), which decides the decline: below "
            "the service's threshold (calibration.json) it declines, and a rule's decline "
            "reads below it too; null for an answer read off an article's header line"
        ),
    )


class DocumentSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # read off a StoredDocument

    doc_id: str
    title: str
    published: date | None
    outlet: str | None = None
    chunks: int
    duplicate_of: str | None = None


class DocumentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    doc_id: str
    title: str
    published: date | None
    source: str | None
    outlet: str | None = None
    author: str | None = None
    duplicate_of: str | None = None
    text: str

    @field_validator("source")
    @classmethod
    def _shown(cls, v: str | None) -> str | None:
        """A URL as given; of a file on the server, only its name (its path is private)."""
        return v if v is None or "://" in v else PurePath(v).name


class Health(BaseModel):
    status: str = Field(
        description="'ok'; 'read-only' (answers, but writes fail); 'failing' (see problems)"
    )
    documents: int
    generation: int
    segments: int = Field(
        description="How many segments the answering process searches (merges join them)"
    )
    model: str
    writable: bool = Field(True, description="Whether writes to the index can succeed")
    problems: list[str] = Field(
        default_factory=list,
        description="What is wrong between the index served and the one on disk",
    )
