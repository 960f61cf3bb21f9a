"""Add, replace and delete articles over HTTP; each write needs the bearer token.

A write goes through the same path as `qa index`: under the index's write lock, in one
transaction, embedding only texts never seen before, with the service's own model. The
service then loads the new generation before answering, so the next question sees it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import replace
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, field_validator

from index import Article, BadArticle, Report, Store, StoredDocument, parse, parse_html, update
from index.store import text_hash
from qa import QA

from .errors import responses

DOC_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
DOC_ID_RULE = (
    "1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit "
    "(no slashes or spaces)"
)
# The schema's bound; the server's own (Settings.max_article_chars, 413) is usually lower.
MAX_TEXT_CHARS = 2_000_000
# How long a write waits for another writer (a running `qa index`) before answering 409.
WRITE_WAIT_SECONDS = 5.0


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str | None = Field(None, description=f"Defaults to a hash of the text; {DOC_ID_RULE}")
    title: str | None = Field(
        None, min_length=1, max_length=500, description="Overrides the headline read off the text"
    )
    published: date | None = Field(None, description="Overrides the date read off the text")
    source: str | None = Field(None, max_length=2000, description="Where the article came from")
    text: str = Field(
        max_length=MAX_TEXT_CHARS,
        description="The article, as plain text (a headline and its story) or HTML (see "
        "content_type); a text of only menus, links or short lines is refused with 422",
        json_schema_extra={"pattern": r"\S"},  # the rule of _not_blank below, for clients
    )
    content_type: Literal["text/plain", "text/html"] = Field(
        "text/plain",
        description="text/html: a web page; its main text is extracted and stored, with its "
        "title, date, author, site name and URL",
    )

    @field_validator("doc_id")
    @classmethod
    def _doc_id(cls, v: str | None) -> str | None:
        if v is not None and not DOC_ID.match(v):
            raise ValueError(f"{v[:140]!r} is not a valid doc_id: use {DOC_ID_RULE}")
        return v

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("the text is empty; send the article's text")
        return v


class DocumentWritten(BaseModel):
    doc_id: str
    title: str
    published: date | None
    chunks: int
    duplicate_of: str | None = Field(
        description="The earlier article this one reprints, if most of its sentences are there"
    )
    generation: int


class DocumentDeleted(BaseModel):
    doc_id: str
    generation: int


_bearer = HTTPBearer(auto_error=False)


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Let the request through only with ``Authorization: Bearer $QA_API_TOKEN``."""
    token = request.app.state.settings.api_token
    if not token:
        raise HTTPException(403, "writes are disabled: set QA_API_TOKEN")
    given = credentials.credentials if credentials else ""
    if not secrets.compare_digest(given.encode(), token.encode()):
        raise HTTPException(
            401,
            "send the header 'Authorization: Bearer <QA_API_TOKEN>'",
            headers={"WWW-Authenticate": "Bearer"},
        )


router = APIRouter(
    tags=["writes"],
    dependencies=[Depends(require_token)],
    responses=responses(401, 403, 409, 422, 503, 507),
)


def _write(
    qa: QA, articles: list[Article], deletes: list[str]
) -> tuple[Report, StoredDocument | None]:
    """Apply one update; returns its report and the first article as stored."""
    # A connection of its own: the service's one is its reader, used by the reload thread.
    qa.refresh()  # a folder replaced since the last look is loaded before writing to it
    store = Store(qa.store.dir, qa.store.model, qa.store.dim, create=False)
    try:
        with store.writer(wait=WRITE_WAIT_SECONDS):
            if store.identity != qa.store.identity:  # replaced just now: answer from it too
                qa.refresh()
            report = update(store, articles, lambda: qa.embedder, deletes)
            stored = store.document(articles[0].doc_id) if articles else None
    finally:
        store.close()
    qa.refresh()
    return report, stored


@router.post(
    "/documents",
    response_model=DocumentWritten,
    status_code=201,
    responses={
        200: {"description": "Replaced the article of this doc_id"},
        **responses(400, 413),
    },
)
def put_document(body: DocumentIn, request: Request, response: Response) -> DocumentWritten:
    """Add an article (201), or replace the one with the same doc_id (200)."""
    limit = request.app.state.settings.max_article_chars
    if len(body.text) > limit:
        raise HTTPException(
            413,
            f"the text is {len(body.text):,} characters, over this server's limit of "
            f"{limit:,} (QA_MAX_ARTICLE_CHARS): split the article or raise the limit",
        )
    doc_id = body.doc_id or text_hash(body.text)[:16]
    try:
        read = parse_html if body.content_type == "text/html" else parse
        article = read(body.text, doc_id, body.source)
    except BadArticle as e:
        raise HTTPException(422, f"text: {e}") from None
    article = replace(
        article, title=body.title or article.title, published=body.published or article.published
    )
    report, stored = _write(request.app.state.qa, [article], [])
    assert stored is not None  # written under the lock just now
    response.status_code = 201 if report.added else 200
    return DocumentWritten(
        doc_id=doc_id,
        title=stored.title,
        published=stored.published,
        chunks=stored.chunks,
        duplicate_of=stored.duplicate_of,
        generation=report.generation,
    )


@router.delete("/documents/{doc_id}", response_model=DocumentDeleted, responses=responses(404))
def delete_document(
    doc_id: Annotated[str, Path(max_length=1000)], request: Request
) -> DocumentDeleted:
    """Remove an article; the next question is answered without it."""
    report, _ = _write(request.app.state.qa, [], [doc_id])
    if not report.removed:
        raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists them")
    return DocumentDeleted(doc_id=doc_id, generation=report.generation)
