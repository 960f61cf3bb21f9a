"""`qa eval`: score the answers on a question set, locally or against a running server."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from .questions import BadQuestions, load_questions
from .run import default_questions, local, over_http, run_suite

FLOORS = {
    "min_hit": ("hit_rate", ">="),
    "min_recall5": ("recall@5", ">="),
    "min_decline": ("unanswerable_declined", ">="),
    "max_wrong_decline": ("answerable_wrongly_declined", "<="),
}


def _local_qa(index_dir: Path | None, corpus: Path | None, workdir: Path):
    from index import SentenceTransformerEmbedder, Store, index_paths
    from qa import QA
    from qa.settings import Settings

    if corpus is None:
        return QA(index_dir or Settings().index_dir)
    embedder = SentenceTransformerEmbedder()
    store = Store(workdir / "index", embedder.name, embedder.dim)
    files = [
        p for p in sorted(corpus.iterdir()) if p.is_file() and p.suffix not in (".jsonl", ".md")
    ]
    index_paths(store, files, lambda: embedder)
    store.close()
    return QA(workdir / "index", embedder=embedder)


def eval_command(
    questions: Annotated[
        Path | None,
        typer.Option(
            help="Question file (default: eval/questions.jsonl, or CORPUS/questions.jsonl)"
        ),
    ] = None,
    top_k: Annotated[int, typer.Option(min=1, max=50, help="Passages to retrieve")] = 5,
    json_report: Annotated[
        Path | None, typer.Option("--json", help="Write the full report here")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Score a running server at this base URL")] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Index this folder in a temporary index and score on it")
    ] = None,
    mode: Annotated[
        str, typer.Option(help="Retrieval: hybrid, dense or bm25 (local only)")
    ] = "hybrid",
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index folder (local)")
    ] = None,
    misses: Annotated[int, typer.Option(help="How many misses to list")] = 5,
    min_hit: Annotated[float | None, typer.Option(help="Fail below this answer hit rate")] = None,
    min_recall5: Annotated[
        float | None, typer.Option(help="Fail below this passage recall@5")
    ] = None,
    min_decline: Annotated[
        float | None, typer.Option(help="Fail below this share of unanswerable questions declined")
    ] = None,
    max_wrong_decline: Annotated[
        float | None, typer.Option(help="Fail above this share of answerable questions declined")
    ] = None,
) -> None:
    """Score answers on hand-written questions (format: eval/FORMAT.md)."""
    if url and (corpus or mode != "hybrid" or index_dir):
        typer.echo(
            "qa: --url scores a running server; --corpus, --mode and --index-dir are local only",
            err=True,
        )
        raise typer.Exit(2)
    path = questions or (corpus / "questions.jsonl" if corpus else default_questions())
    try:
        qs = load_questions(path)
    except BadQuestions as e:
        typer.echo(f"qa: {e}", err=True)
        raise typer.Exit(2) from None
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as work:
        if url:
            ask, text = over_http(url)
        else:
            from index import IndexMismatch, IndexMissing

            try:
                ask, text = local(_local_qa(index_dir, corpus, Path(work)), mode=mode)
            except (IndexMissing, IndexMismatch, ValueError) as e:
                typer.echo(f"qa: {e}", err=True)
                raise typer.Exit(2) from None
        report = run_suite(qs, ask, text, top_k=top_k, progress=sys.stderr.isatty())
    typer.echo(
        f"{path} — {url or (corpus or index_dir or 'local index')} — top_k {top_k}, {mode if not url else 'server'}"
    )
    typer.echo(report.table())
    worst = report.misses()[:misses]
    if worst:
        typer.echo(f"\nmisses ({len(report.misses())}; first {len(worst)}):")
        for o in worst:
            typer.echo(f"  {o.id}: {o.question}\n      {o.why}; got: {(o.answer or '—')[:140]}")
    if json_report:
        json_report.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
    limits = {
        "min_hit": min_hit,
        "min_recall5": min_recall5,
        "min_decline": min_decline,
        "max_wrong_decline": max_wrong_decline,
    }
    for name, floor in limits.items():
        if floor is None:
            continue
        metric, op = FLOORS[name]
        value = report.metrics[metric]
        if (op == ">=" and value < floor) or (op == "<=" and value > floor):
            typer.echo(
                f"qa: {metric} is {value:.3f}, {'below' if op == '>=' else 'above'} the floor {floor}",
                err=True,
            )
            raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the `qa` app."""
    app.command("eval")(eval_command)
