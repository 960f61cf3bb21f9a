"""What an operator watches: Prometheus metrics, one log line per request, Server-Timing."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qa import QA, Answer, StageTimes

log = logging.getLogger("qa.requests")
# Set (by `qa serve --workers N`) before prometheus-client is first imported in a worker.
MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR" in os.environ

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
    """The service's metrics, in a registry of its own (one per app). Under `qa serve
    --workers N` each worker process writes its values to files in the folder named by
    PROMETHEUS_MULTIPROC_DIR, and /metrics adds them up across the workers
    (prometheus-client's multiprocess mode)."""

    def __init__(self) -> None:
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
        # Set on every load; across workers, the value the last one to load set.
        self.index = Gauge(
            "qa_index", "The loaded index", ["what"], registry=r,
            multiprocess_mode="livemostrecent",
        )  # fmt: skip

    def loaded(self, qa: QA) -> None:
        """Show the index ``qa`` now serves (at the start and after every reload)."""
        corpus = qa.corpus
        self.index.labels("generation").set(corpus.generation)
        self.index.labels("documents").set(len(corpus.documents))
        self.index.labels("chunks").set(len(corpus.chunks))

    def reloaded(self, qa: QA, seconds: float) -> None:
        self.reloads.observe(seconds)
        self.loaded(qa)

    def exposition(self) -> bytes:
        """The metrics in Prometheus's text format: this process's, or every worker's."""
        if not MULTIPROCESS:
            return generate_latest(self.registry)
        gathered = CollectorRegistry()
        MultiProcessCollector(gathered)
        return generate_latest(gathered)

    def stopped(self) -> None:
        """This worker is stopping: its gauges leave the sum."""
        if MULTIPROCESS:
            mark_process_dead(os.getpid())

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
    app.add_middleware(Observe, metrics=metrics)


class Observe:
    """The middleware ``install`` adds, in plain ASGI: starlette's BaseHTTPMiddleware runs
    each request through a task and memory streams of its own."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        state = scope.setdefault("state", {})  # what the routes see as request.state
        state["request_id"] = request_id
        start = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
                headers["Server-Timing"] = server_timing(
                    state.get("stages"), time.perf_counter() - start
                )
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - start)

    def _record(self, scope: Scope, request_id: str, status: int, took: float) -> None:
        method, path = scope["method"], scope["path"]
        route = getattr(scope.get("route"), "path", "unmatched")
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(took)
        outcome = scope["state"].get("outcome")
        fields = {
            "request_id": request_id,
            "pid": os.getpid(),  # which worker, under `qa serve --workers N`
            "method": method,
            "path": path,
            "status": status,
            "ms": round(took * 1000, 1),
            "outcome": outcome,
        }
        text = f"{method} {path} {status} {took * 1000:.0f}ms id={request_id}"
        log.info(text + (f" {outcome}" if outcome else ""), extra={"fields": fields})


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
