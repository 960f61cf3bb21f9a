"""`qa eval`: score the answers on a question set, locally or against a running server."""

from __future__ import annotations

import json
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, NoReturn

import typer

from .questions import BadQuestions, load_questions
from .run import Unreachable, corpus_qa, default_questions, local, over_http, run_suite

if TYPE_CHECKING:
    from qa import QA

# The same names as qa.MODES (a test holds them equal); spelled out so that `qa --help`
# need not import the retrievers.
Mode = Literal["hybrid", "dense", "bm25"]


def _floor(help: str) -> typer.models.OptionInfo:
    return typer.Option(min=0.0, max=1.0, help=help)


def _local_qa(index_dir: Path | None, corpus: Path | None, workdir: Path) -> QA:
    """The configured index, or a throwaway index of ``corpus`` built under ``workdir``."""
    from qa import QA
    from qa.settings import Settings

    if corpus is None:
        return QA(index_dir or Settings().index_dir)
    return corpus_qa(corpus, workdir)


def eval_command(
    questions: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Question file (default: eval/questions.jsonl, or CORPUS/questions.jsonl)",
        ),
    ] = None,
    top_k: Annotated[int, typer.Option(min=1, max=50, help="Passages to retrieve")] = 5,
    json_report: Annotated[
        Path | None, typer.Option("--json", help="Write the full report here")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Score a running server at this base URL")] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            file_okay=False,
            help="Index this folder in a temporary index and score on it",
        ),
    ] = None,
    mode: Annotated[Mode, typer.Option(help="Retrieval (local only)")] = "hybrid",
    index_dir: Annotated[
        Path | None, typer.Option("--index-dir", help="Index folder (local)")
    ] = None,
    misses: Annotated[int, typer.Option(min=0, help="How many misses to list, worst first")] = 5,
    min_hit: Annotated[float | None, _floor("Fail below this answer hit rate")] = None,
    min_recall5: Annotated[float | None, _floor("Fail below this passage recall@5")] = None,
    min_decline: Annotated[
        float | None, _floor("Fail below this share of unanswerable questions declined")
    ] = None,
    max_wrong_decline: Annotated[
        float | None, _floor("Fail above this share of answerable questions declined")
    ] = None,
    min_accuracy: Annotated[
        float | None, _floor("Fail below this share of all questions handled right")
    ] = None,
    min_offsets: Annotated[
        float | None, _floor("Fail below this share of citations whose offsets hold the quote")
    ] = 1.0,
) -> None:
    """Score answers on hand-written questions (format: eval/FORMAT.md)."""
    if url and (corpus or mode != "hybrid" or index_dir):
        _fail("--url scores a running server; --corpus, --mode and --index-dir are local only")
    path = questions or (corpus / "questions.jsonl" if corpus else default_questions())
    try:
        qs = load_questions(path)
    except BadQuestions as e:
        _fail(str(e))
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as work, ExitStack() as stack:
        if url:
            ask, text = over_http(url)
        else:
            from index import IndexMismatch, IndexMissing

            try:
                qa = _local_qa(index_dir, corpus, Path(work))
            except (IndexMissing, IndexMismatch) as e:
                _fail(str(e))
            stack.callback(qa.close)
            # Asked as the server asks: on one BLAS thread, whose small matrix products
            # other threads only slow (spinning beside any other busy process).
            from threadpoolctl import threadpool_limits

            stack.enter_context(threadpool_limits(1, user_api="blas"))
            ask, text = local(qa, mode=mode)
        try:
            report = run_suite(qs, ask, text, top_k=top_k, progress=sys.stderr.isatty())
        except Unreachable as e:
            _fail(str(e))
    target = url or corpus or index_dir or "the configured index"
    typer.echo(f"{path} on {target}: top {top_k}, {'as served' if url else mode}")
    typer.echo(report.table())
    worst = report.misses()[:misses]
    if worst:
        typer.echo(f"\nmisses ({len(report.misses())}; the worst {len(worst)}):")
        for o in worst:
            typer.echo(f"  {o.id}: {o.question}\n      {o.why}; got: {(o.answer or '—')[:140]}")
    if json_report:
        run = {"questions": str(path), "target": str(target), "top_k": top_k}
        run["mode"] = "as served" if url else mode
        body = {"run": run, **report.to_json()}
        json_report.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    floors = {
        "hit_rate": min_hit,
        "recall@5": min_recall5,
        "unanswerable_declined": min_decline,
        "accuracy": min_accuracy,
        "citation_offsets_valid": min_offsets,
    }
    ceilings = {"answerable_wrongly_declined": max_wrong_decline}
    breach = report.breach(
        {k: v for k, v in floors.items() if v is not None},
        {k: v for k, v in ceilings.items() if v is not None},
    )
    if breach:
        _fail(breach, code=1)


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"qa: {message}", err=True)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add the `eval` command to the `qa` app."""
    app.command("eval")(eval_command)
