"""Run a question set against the local index or a running server."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import Any

from tqdm import tqdm

from .questions import Question
from .score import Report, score

Ask = Callable[[str, int], dict[str, Any]]


def run_suite(
    questions: list[Question],
    ask: Ask,
    document_text: Callable[[str], str | None],
    top_k: int = 5,
    progress: bool = False,
) -> Report:
    """Ask every question, timing only the asking, and score what came back."""
    outcomes = []
    for q in tqdm(questions, desc="eval", unit="q", disable=not progress, leave=False):
        start = time.perf_counter()
        response = ask(q.question, top_k)
        latency = (time.perf_counter() - start) * 1000
        outcomes.append(score(q, response, document_text, latency))
    return Report.of(outcomes)


def local(qa: Any, mode: str = "hybrid") -> tuple[Ask, Callable[[str], str | None]]:
    """Ask a loaded ``qa.QA`` in process; the response has the shape of POST /ask."""

    def ask(question: str, top_k: int) -> dict[str, Any]:
        return _jsonable(asdict(qa.ask(question, top_k=top_k, mode=mode)))

    def text(doc_id: str) -> str | None:
        doc = qa.corpus.documents.get(doc_id)
        return doc.text if doc else None

    return ask, text


def over_http(base_url: str, timeout: float = 30.0) -> tuple[Ask, Callable[[str], str | None]]:
    """Ask a running server at ``base_url``."""
    import httpx

    client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def ask(question: str, top_k: int) -> dict[str, Any]:
        r = client.post("/ask", json={"question": question, "top_k": top_k})
        r.raise_for_status()
        return r.json()

    @cache
    def text(doc_id: str) -> str | None:
        r = client.get(f"/documents/{doc_id}")
        return r.json()["text"] if r.status_code == 200 else None

    return ask, text


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def default_questions() -> Path:
    return Path(__file__).with_name("questions.jsonl")
