"""Run a question set against the local index or a running server."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from .questions import Question
from .score import Report, score

if TYPE_CHECKING:
    import httpx

    from index import Embedder
    from qa import QA

Ask = Callable[[str, int], dict[str, Any]]


def corpus_qa(
    corpus: Path,
    workdir: Path,
    embedder: Embedder | None = None,
    questions: Embedder | None = None,
) -> QA:
    """A throwaway index of the articles in folder ``corpus``, built under ``workdir`` with
    ``embedder`` (the packaged model, loaded here, if none is given). Questions go through
    ``questions``; else through ``embedder`` when one is given, else through the quantised
    export a server asks with."""
    from index import SentenceTransformerEmbedder, Store, index_paths
    from index.embed import question_embedder
    from qa import QA

    if embedder is None and questions is None:
        questions = question_embedder()
    embedder = embedder or SentenceTransformerEmbedder()
    store = Store(workdir / "index", embedder.name, embedder.dim)
    # The question file and notes beside the articles are not articles.
    files = [
        p for p in sorted(corpus.iterdir()) if p.is_file() and p.suffix not in (".jsonl", ".md")
    ]
    index_paths(store, files, lambda: embedder)
    store.close()
    return QA(workdir / "index", embedder=embedder, questions=questions)


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


class Unreachable(RuntimeError):
    """The server under test could not be asked; the message says which URL and why."""


def over_http(
    base_url: str, timeout: float = 30.0, client: httpx.Client | None = None
) -> tuple[Ask, Callable[[str], str | None]]:
    """Ask a running server at ``base_url`` (or through ``client``, e.g. a TestClient)."""
    import httpx

    base = base_url.rstrip("/")
    http = client or httpx.Client(base_url=base, timeout=timeout)

    def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            return http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            raise Unreachable(f"cannot reach {base}{path}: {e}") from e

    def ask(question: str, top_k: int) -> dict[str, Any]:
        r = call("POST", "/ask", json={"question": question, "top_k": top_k})
        if r.status_code != 200:
            raise Unreachable(f"POST {base}/ask answered {r.status_code}: {r.text[:200]}")
        return r.json()

    @cache
    def text(doc_id: str) -> str | None:
        r = call("GET", f"/documents/{doc_id}")
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
    """The seed question set, found beside this package so any working directory will do."""
    return Path(__file__).with_name("questions.jsonl")
