"""The one error body every route answers with, and the one place faults become statuses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from index import IndexBusy, IndexFull, IndexProblem
from qa import BadFilters

log = logging.getLogger(__name__)


class FieldError(BaseModel):
    field: str = Field(description="The refused field, dotted ('question', 'body')")
    message: str


class Error(BaseModel):
    """Every 4xx and 5xx answer: what went wrong and what to do about it."""

    detail: str = Field(description="One line a person can act on")
    errors: list[FieldError] | None = Field(
        None, description="With 422: each field refused, and why"
    )


def _status(problem: IndexProblem) -> int:
    if isinstance(problem, IndexBusy):
        return 409
    if isinstance(problem, IndexFull):
        return 507
    return 503


# What each status means on any route, for the OpenAPI document.
MEANING = {
    400: "The body is not valid JSON",
    401: "No or a wrong bearer token",
    403: "Writes are disabled: the server has no QA_API_TOKEN",
    404: "No such document",
    409: "Another process is writing to the index; retry when it has finished",
    413: "The article is longer than the server accepts (QA_MAX_ARTICLE_CHARS)",
    422: "A field is refused; `errors` lists each one",
    503: "The index is missing, replaced, damaged or read-only; `detail` says what to do",
    507: "No space left on the index's disk; no article was changed",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error statuses of a route, each documented with the one error body."""
    return {s: {"model": Error, "description": MEANING[s]} for s in statuses}


def _methods(app: FastAPI, request: Request) -> list[str]:
    """The methods the OpenAPI document gives for the request's path."""
    found: set[str] = set()
    for template, operations in app.openapi()["paths"].items():
        if compile_path(template)[0].match(request.url.path):
            found |= {m.upper() for m in operations}
    return sorted(found)


def _json(status: int, detail: str, **extra: Any) -> JSONResponse:
    headers = extra.pop("headers", None)
    body = Error(detail=detail, **extra).model_dump(exclude_none=True)
    return JSONResponse(status_code=status, content=body, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every fault with the error body and its status; never a bare 500."""

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        for e in exc.errors():
            if e["type"] == "json_invalid":
                where = e["loc"][-1] if len(e["loc"]) > 1 else None
                what = (e.get("ctx") or {}).get("error", e["msg"])
                if isinstance(where, int):  # json's own words: "Unterminated string starting at"
                    what = f"{what.removesuffix(' at')} at character {where}"
                return _json(400, f"the body is not valid JSON: {what}")
        errors = [
            FieldError(
                field=".".join(str(p) for p in e["loc"] if p != "body") or "body",
                message=str(e["msg"]).removeprefix("Value error, "),
            )
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
        return _json(422, detail, errors=errors)

    @app.exception_handler(HTTPException)
    async def http(request: Request, exc: HTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:  # Starlette names the methods of one route, not all
            allowed = _methods(app, request)
            headers = {"Allow": ", ".join(allowed)}
            return _json(405, f"use {' or '.join(allowed)} on {request.url.path}", headers=headers)
        return _json(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(BadFilters)
    async def bad_filters(request: Request, exc: BadFilters) -> JSONResponse:
        return _json(422, f"filters: {exc}", errors=[FieldError(field="filters", message=str(exc))])

    @app.exception_handler(IndexProblem)
    async def storage(request: Request, exc: IndexProblem) -> JSONResponse:
        status = _status(exc)
        log.warning("%s %s: %d %s", request.method, request.url.path, status, exc)
        return _json(status, str(exc))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _json(500, "the server failed on this request (a bug); its log has the details")
