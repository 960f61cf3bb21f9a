"""What an operator watches: Prometheus metrics, one log line per request, Server-Timing."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request, Response
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from qa import QA, Answer, StageTimes

log = logging.getLogger("qa.requests")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A decline's reason up to its first word naming something the question asked about
# ("the articles never mention Ruritania" -> "the articles never mention"): a label
# with a bounded set of values.
_REASON_WORD = re.compile(r"[a-z]+")


def reason_label(reason: str | None) -> str:
    words: list[str] = []
    for word in (reason or "none").split():
        if not _REASON_WORD.fullmatch(word) or len(words) == 8:
            break
        words.append(word)
    return " ".join(words) or "other"


class Metrics:
    """The service's metrics, in a registry of its own (one per app)."""

    def __init__(self, qa: Callable[[], QA | None]) -> None:
        self.registry = r = CollectorRegistry()
        self.requests = Counter(
            "qa_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "qa_http_request_seconds", "Time to answer an HTTP request", ["method", "route"],
            registry=r,
        )  # fmt: skip
        self.answers = Counter(
            "qa_answers", "Questions answered or declined", ["outcome", "reason"], registry=r
        )
        self.stages = Histogram(
            "qa_stage_seconds", "Time one answer spent in each stage", ["stage"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )  # fmt: skip
        self.reloads = Histogram(
            "qa_reload_seconds", "Time to load a new generation of the index", registry=r
        )
        self.reload_failures = Counter(
            "qa_reload_failures", "Reloads of the index that failed", registry=r
        )
        loaded = Gauge("qa_index", "The loaded index", ["what"], registry=r)

        def of(read: Callable[[QA], int]) -> Callable[[], float]:
            def value() -> float:
                service = qa()
                return float(read(service)) if service else float("nan")

            return value

        loaded.labels("generation").set_function(of(lambda s: s.corpus.generation))
        loaded.labels("documents").set_function(of(lambda s: len(s.corpus.documents)))
        loaded.labels("chunks").set_function(of(lambda s: len(s.corpus.chunks)))

    def answered(self, result: Answer, times: StageTimes) -> str:
        """Count one answer; returns its outcome for the request's log line."""
        outcome = "answered" if result.answerable else "declined"
        reason = "" if result.answerable else reason_label(result.reason)
        self.answers.labels(outcome, reason).inc()
        for stage in ("embed", "retrieve", "choose"):
            self.stages.labels(stage).observe(getattr(times, stage))
        return f"declined: {result.reason}" if reason else outcome


def server_timing(times: StageTimes | None, total: float) -> str:
    stages = [(s, getattr(times, s)) for s in ("embed", "retrieve", "choose")] if times else []
    return ", ".join(f"{name};dur={secs * 1000:.1f}" for name, secs in [*stages, ("total", total)])


def install(app: FastAPI, metrics: Metrics) -> None:
    """Time, count and log every request; give it a request id and Server-Timing."""

    @app.middleware("http")
    async def observe(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        given = request.headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        request.state.request_id = request_id
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
        finally:
            took = time.perf_counter() - start
            route = getattr(request.scope.get("route"), "path", "unmatched")
            metrics.requests.labels(request.method, route, str(status)).inc()
            metrics.latency.labels(request.method, route).observe(took)
            outcome = getattr(request.state, "outcome", None)
            fields = {
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": status,
                "ms": round(took * 1000, 1),
                "outcome": outcome,
            }
            text = (
                f"{request.method} {request.url.path} {status} {took * 1000:.0f}ms id={request_id}"
            )
            log.info(text + (f" {outcome}" if outcome else ""), extra={"fields": fields})
        response.headers["X-Request-ID"] = request_id
        response.headers["Server-Timing"] = server_timing(
            getattr(request.state, "stages", None), took
        )
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


LOG_FORMATS = ("json", "text")


def configure_logging(fmt: str, level: int = logging.INFO) -> None:
    """Send every log line (ours and uvicorn's) to stdout in ``fmt``: json or text."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; use one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(sys.stdout)
    handler.setLevel(level)  # libraries that log at DEBUG on their own loggers stay quiet
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
