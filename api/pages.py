"""The web page: ask, read each quote in its article, and browse the collection.

Server-rendered (Jinja2, autoescaped) with a little vanilla JavaScript, every asset served
by this app: the page works on a host with no internet. The ask form is a plain GET form,
so Enter asks and every answer, filter and citation has a link that can be shared.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from qa import QA, Answer, BadFilters, Filters

from .schemas import MAX_QUESTION_CHARS
from .views import SORTS, confidence_words, plain_reason, sort_documents

HERE = Path(__file__).parent
STATIC = HERE / "static"
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
# Only this app's own scripts, styles and images; nothing inline, nothing from elsewhere.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(include_in_schema=False)


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = _templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _date(name: str, value: str | None) -> date | None:
    if not value:
        return None  # an empty date box
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadFilters(f"{name} {value!r} is not a date; write it as YYYY-MM-DD") from None


def _filters(
    outlets: list[str], published_from: str | None, published_to: str | None, doc_id: str | None
) -> Filters:
    return Filters(
        outlets=frozenset(o for o in outlets if o),
        published_from=_date("from", published_from),
        published_to=_date("to", published_to),
        doc_ids=frozenset([doc_id] if doc_id else []),
    )


def _qa(request: Request) -> QA:
    return request.app.state.qa


@router.get("/", response_class=HTMLResponse)
async def ask_page(
    request: Request,
    question: Annotated[str, Query(max_length=MAX_QUESTION_CHARS)] = "",
    outlet: Annotated[list[str] | None, Query()] = None,
    published_from: Annotated[str | None, Query(alias="from")] = None,
    published_to: Annotated[str | None, Query(alias="to")] = None,
    doc: str | None = None,
) -> HTMLResponse:
    """The question box; with a question, its answer under the filters given. The question
    is answered by the threads that answer POST /ask (app.py, ANSWERING_THREADS), in turn
    with theirs; the page is built in a thread of its own."""
    qa = _qa(request)
    form = {
        "q": question,
        "outlets": outlet or [],
        "from": published_from,
        "to": published_to,
        "doc": doc,
    }
    result, error, filtered = None, None, False
    try:
        filters = _filters(outlet or [], published_from, published_to, doc)
        filtered = not filters.empty
        if question.strip():
            asked = partial(qa.ask, question, filters=filters)
            result = await anyio.to_thread.run_sync(asked, limiter=request.app.state.answering)
    except BadFilters as e:
        error, filtered = str(e), True
    page = partial(_ask_page, qa, form, result, error, filtered)
    return await anyio.to_thread.run_sync(page)


def _ask_page(
    qa: QA, form: dict[str, Any], result: Answer | None, error: str | None, filtered: bool
) -> HTMLResponse:
    documents = qa.corpus.details  # titles and outlets: no text is read
    context: dict[str, Any] = {
        "form": form,
        "outlets": sorted({d.outlet for d in documents.values() if d.outlet}, key=str.lower),
        "articles": sorted(documents.values(), key=lambda d: d.title.lower()),
        "result": result,
        "error": error,
        "filtered": filtered,
    }
    if result is not None:
        context.update(
            documents=documents,
            confidence=confidence_words(result.confidence, result.answerable),
            reason=plain_reason(result.reason),
        )
    return _render("ask.html", 422 if error else 200, **context)


@router.get("/articles/{doc_id}", response_class=HTMLResponse)
def article_page(
    doc_id: str, request: Request, start: int | None = None, end: int | None = None
) -> HTMLResponse:
    """One article, with the span [start, end) highlighted: where a citation quotes it."""
    documents = _qa(request).corpus.documents
    doc = documents.get(doc_id)
    if doc is None:
        raise HTTPException(404, f"no article {doc_id!r}; the collection page lists them")
    text, error = doc.text, None
    span = None
    if start is not None or end is not None:
        if start is not None and end is not None and 0 <= start < end <= len(text):
            span = (start, end)
        else:
            error = (
                f"The quoted span {start}-{end} is not within this article "
                f"(it has {len(text)} characters); the link may be from an older version."
            )
    parts = (text[: span[0]], text[span[0] : span[1]], text[span[1] :]) if span else (text,)
    original = documents.get(doc.duplicate_of) if doc.duplicate_of else None
    return _render(
        "article.html",
        422 if error else 200,
        doc=doc,
        parts=parts,
        error=error,
        original=original,
        duplicate_of=doc.duplicate_of,
    )


@router.get("/collection", response_class=HTMLResponse)
def collection_page(
    request: Request,
    search: Annotated[str, Query(max_length=200)] = "",
    sort: str = "published",
    order: str = "desc",
) -> HTMLResponse:
    """Every article: title, outlet, date and what it reprints; sortable and searchable."""
    documents = _qa(request).corpus.details  # titles, outlets, dates: no text is read
    sort = sort if sort in SORTS else "published"
    descending = order == "desc"
    words = search.lower().split()
    shown = [
        d
        for d in documents.values()
        if all(w in f"{d.title} {d.outlet or ''} {d.doc_id}".lower() for w in words)
    ]
    return _render(
        "collection.html",
        documents=sort_documents(shown, sort, descending),
        titles={d: doc.title for d, doc in documents.items()},
        total=len(documents),
        search=search,
        sort=sort,
        descending=descending,
        writable=bool(request.app.state.settings.api_token),
    )
