"""FastAPI in front of qa/: thin routes; errors mapped to HTTP in one place (errors.py)."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from functools import partial
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import FastAPI, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from threadpoolctl import threadpool_limits

from index import IndexProblem
from qa import QA
from qa.memory import share_malloc_arenas
from qa.settings import Settings

from . import docs, errors, observe
from .errors import responses
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

# Threads answering questions at once: one question is embedded (ONNX Runtime, without the
# interpreter lock) while another is answered (qa.QA.ask_timed, one at a time). More only
# contend for the interpreter: one worker at concurrency 8 on the BBC index answered 86
# questions a second through the sync route's pool of threads, 96-102 through two, 80
# through one (bench/RESULTS.md).
ANSWERING_THREADS = 2


def create_app(settings: Settings | None = None, service: QA | None = None) -> FastAPI:
    """The app over ``settings.index_dir``; pass ``service`` to reuse a loaded one."""
    settings = settings or Settings()
    metrics = observe.Metrics()

    def reload_failed(e: Exception) -> None:
        metrics.reload_failures.inc()
        log.warning("reload failed: %s", e)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests use the cores side by side; none splits its small matrix products
        # across threads, whose spinning after each one doubled the CPU an answer took
        # (31 -> 18 ms on the BBC index).
        threadpool_limits(1, user_api="blas")
        share_malloc_arenas()  # before the threads that answer, reload and merge start
        qa = service or QA(settings.index_dir)
        # What the first answer would load (word vectors, the models' first runs) is
        # loaded before the first request: a fresh process's first question took 0.46 s.
        with contextlib.suppress(IndexProblem):
            qa.ask("Who announced the plan on Monday?")
        metrics.loaded(qa)
        # What is loaded by now (the app, the models, the index's details) lives as long as
        # the process: the cyclic collector need not walk it again. Each full collection
        # walked it all, a pause of 80-100 ms one question in some seventy paid over HTTP
        # on the BBC index (bench/RESULTS.md). A later generation's objects are freed by
        # their counts as before, frozen or not.
        gc.collect()  # what is garbage already is not frozen with the rest
        gc.freeze()
        qa.watch(
            settings.reload_seconds,
            on_error=reload_failed,
            on_reload=lambda seconds: metrics.reloaded(qa, seconds),
        )
        app.state.qa = qa
        try:
            yield
        finally:
            metrics.stopped()
            if service is None:
                qa.close()

    app = FastAPI(
        title="qa: cited answers from news articles",
        description="Ask a question; get sentences copied from the articles, each cited "
        "to its exact place, or an honest 'the articles don't say'. Every error answers "
        "with the same body: `detail`, a line saying what to do.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.include_router(writes)
    errors.install(app)
    observe.install(app, metrics)
    docs.install(app)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def qa_of(request: Request) -> QA:
        return request.app.state.qa

    # Questions, from here and from the web page (pages.py), are answered by at most
    # ANSWERING_THREADS threads; the others wait in the event loop rather than as threads
    # contending for the interpreter.
    app.state.answering = answering = anyio.CapacityLimiter(ANSWERING_THREADS)

    @app.post("/ask", response_model=AskResponse, responses=responses(400, 422, 503))
    async def ask(body: AskRequest, request: Request) -> AskResponse:
        filters = body.filters.to_filters() if body.filters else None
        asked = partial(qa_of(request).ask_timed, body.question, top_k=body.top_k, filters=filters)
        result, times = await anyio.to_thread.run_sync(asked, limiter=answering)
        request.state.stages = times
        request.state.outcome = metrics.answered(result, times)
        return AskResponse.model_validate(asdict(result))

    @app.get(
        "/documents",
        response_model=list[DocumentSummary],
        responses={
            200: {"headers": {"X-Total-Count": {"description": "Matches before paging"}}},
            **responses(422, 503),
        },
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

    @app.get("/documents/{doc_id}", response_model=DocumentOut, responses=responses(404, 422, 503))
    def document(doc_id: Annotated[str, Path(max_length=1000)], request: Request) -> DocumentOut:
        d = qa_of(request).current().documents.get(doc_id)
        if d is None:
            raise HTTPException(404, f"no document {doc_id!r}; GET /documents lists them")
        return DocumentOut.model_validate(d)

    @app.get(
        "/healthz",
        response_model=Health,
        responses={503: {"model": Health, "description": "It is not serving its index"}},
    )
    def healthz(request: Request) -> JSONResponse:
        """The index being served is the one on disk and reads back sound (200), or what
        is wrong (503). A read-only index still serves (200) and says so."""
        health = _health(qa_of(request))
        return JSONResponse(health.model_dump(), status_code=503 if health.problems else 200)

    @app.get("/readyz", response_model=Health, responses=responses(503))
    def readyz(request: Request) -> Health:
        """Ready (200) when it can answer from its index and write to it; else 503."""
        health = _health(qa_of(request))
        if health.status != "ok":
            raise HTTPException(503, "; ".join(health.problems) or f"not ready: {health.status}")
        return health

    @app.get(
        "/metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus metrics"}},
    )
    def prometheus() -> PlainTextResponse:
        """Requests, latency, answers and declines by reason, stage times, the index."""
        return PlainTextResponse(
            metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    return app


def worker_app() -> FastAPI:
    """The app each process of `qa serve --workers N` builds for itself: its settings
    from the environment (QA_INDEX_DIR and the rest), its log lines as configured."""
    settings = Settings()
    observe.configure_logging(settings.log_format)
    return create_app(settings)


def _health(qa: QA) -> Health:
    problems = qa.problems()
    writable = qa.writable()
    corpus = qa.corpus
    status = "failing" if problems else "ok" if writable else "read-only"
    return Health(
        status=status,
        documents=len(corpus.documents),
        generation=corpus.generation,
        segments=len(corpus.live),
        model=qa.store.model,
        writable=writable,
        problems=problems,
    )
