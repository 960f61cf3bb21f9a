"""FastAPI in front of qa/: thin routes, errors mapped to HTTP in one place."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from typing import Annotated

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from index import IndexBusy, IndexMismatch, IndexMissing
from qa import QA, BadFilters
from qa.settings import Settings

from .pages import STATIC
from .pages import router as pages
from .schemas import (
    AskRequest,
    AskResponse,
    DocumentOut,
    DocumentsQuery,
    DocumentSummary,
    Health,
)
from .writes import router as writes

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, service: QA | None = None) -> FastAPI:
    """The app over ``settings.index_dir``; pass ``service`` to reuse a loaded one."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        qa = service or QA(settings.index_dir, create=True)
        qa.watch(settings.reload_seconds, on_error=lambda e: log.warning("reload failed: %s", e))
        app.state.qa = qa
        try:
            yield
        finally:
            if service is None:
                qa.close()

    app = FastAPI(
        title="qa: cited answers from news articles",
        description="Ask a question; get sentences copied from the articles, each cited "
        "to its exact place, or an honest 'the articles don't say'.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.include_router(writes)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body") or "body",
                "message": str(e["msg"]).removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})

    @app.exception_handler(BadFilters)
    async def bad_filters(request: Request, exc: BadFilters) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": f"filters: {exc}"})

    @app.exception_handler(IndexBusy)
    async def busy(request: Request, exc: IndexBusy) -> JSONResponse:
        return JSONResponse(status_code=409, content={"detail": str(exc)})

    @app.exception_handler(IndexMismatch)
    @app.exception_handler(IndexMissing)
    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(status_code=503, content={"detail": str(exc)})

    def qa_of(request: Request) -> QA:
        return request.app.state.qa

    @app.post("/ask", response_model=AskResponse)
    def ask(body: AskRequest, request: Request) -> AskResponse:
        filters = body.filters.to_filters() if body.filters else None
        result = qa_of(request).ask(body.question, top_k=body.top_k, filters=filters)
        return AskResponse.model_validate(asdict(result))

    @app.get(
        "/documents",
        response_model=list[DocumentSummary],
        responses={200: {"headers": {"X-Total-Count": {"description": "Matches before paging"}}}},
    )
    def documents(
        request: Request,
        response: Response,
        query: Annotated[DocumentsQuery, Query()],
    ) -> list[DocumentSummary]:
        """The articles, in the index's order, narrowed by the same filters as /ask;
        the header X-Total-Count says how many match before paging."""
        docs = qa_of(request).documents(query.to_filters())
        response.headers["X-Total-Count"] = str(len(docs))
        page = docs[query.offset : query.offset + query.limit]
        return [DocumentSummary.model_validate(d) for d in page]

    @app.get("/documents/{doc_id}", response_model=DocumentOut)
    def document(doc_id: str, request: Request) -> DocumentOut:
        d = qa_of(request).corpus.documents.get(doc_id)
        if d is None:
            raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists them")
        return DocumentOut.model_validate(d)

    @app.get("/healthz", response_model=Health)
    def healthz(request: Request) -> Health:
        qa = qa_of(request)
        return Health(
            status="ok",
            documents=len(qa.corpus.documents),
            generation=qa.corpus.generation,
            model=qa.store.model,
        )

    return app
