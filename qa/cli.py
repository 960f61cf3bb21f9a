"""The `qa` command: index articles, ask questions, serve HTTP, run the eval suite."""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from .settings import Settings

app = typer.Typer(
    help="Cited extractive answers from a collection of news articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

IndexDir = Annotated[
    Path | None,
    typer.Option("--index-dir", help="Index folder (default: $QA_INDEX_DIR or var/index)"),
]


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"qa: {message}", err=True)
    raise typer.Exit(code)


def _index_dir(value: Path | None) -> Path:
    return value or Settings().index_dir


@app.command("index")
def index_cmd(
    paths: Annotated[list[Path], typer.Argument(help="Article files or folders of them")],
    index_dir: IndexDir = None,
    prune: Annotated[bool, typer.Option(help="Remove articles whose files are gone")] = False,
    rebuild: Annotated[
        bool, typer.Option(help="Parse and cut every file again; drop every other article")
    ] = False,
) -> None:
    """Add new and changed articles to the index; unchanged ones are not embedded again.

    A running server keeps answering throughout and picks the update up by itself.
    """
    # Only the light part of index/ is imported here: a run with nothing new to embed
    # never loads torch, the model or the text splitters.
    from index import (
        IndexBusy,
        IndexMismatch,
        SentenceTransformerEmbedder,
        Store,
        index_paths,
        replacing,
    )
    from index.embed import MODEL_DIM, MODEL_NAME

    logging.basicConfig(format="qa: warning: %(message)s", level=logging.WARNING)
    where = _index_dir(index_dir)
    model: list = []

    def embedder():  # loaded only when something needs embedding
        if not model:
            model.append(SentenceTransformerEmbedder())
        return model[0]

    def run(folder: Path):
        store = Store(folder, MODEL_NAME, MODEL_DIM)
        try:
            with store.writer():
                return index_paths(
                    store,
                    paths,
                    embedder,
                    prune=prune,
                    rebuild=rebuild,
                    progress=sys.stderr.isatty(),
                )
        finally:
            store.close()

    try:
        try:
            report = run(where)
        except IndexMismatch:
            if not rebuild:
                raise
            # Built with another model or format: nothing in it can be reused, so a new
            # index is built beside it and swapped in only once complete.
            with replacing(where) as fresh:
                report = run(fresh)
    except (FileNotFoundError, IndexBusy, IndexMismatch) as e:
        _fail(str(e))
        return
    typer.echo(f"{where}: {report.summary()}")


def _print_answer(result) -> None:
    if not result.answerable:
        typer.echo(f"The articles don't say. ({result.reason}; confidence {result.confidence:.2f})")
        return
    typer.echo(result.answer)
    typer.echo("")
    for c in result.citations:
        when = f", {c.published}" if c.published else ""
        typer.echo(f"[{c.n}] {c.title} ({c.doc_id}{when}) chars {c.start}-{c.end}")
    if result.corroboration:
        outlets = ", ".join(c.doc_id for c in result.corroboration)
        typer.echo(f"Also reported by: {outlets}")
    for conflict in result.conflicts:
        c = conflict.citation
        typer.echo(f"Sources differ: {conflict.value!r} in {c.doc_id} ({c.published})")
    typer.echo(f"confidence {result.confidence:.2f}")


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words")],
    top_k: Annotated[int, typer.Option(min=1, max=50, help="Passages to retrieve")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the HTTP API's JSON")] = False,
    outlet: Annotated[
        list[str] | None, typer.Option(help="Only articles from this outlet (repeatable)")
    ] = None,
    since: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only articles published on or after this date"),
    ] = None,
    until: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Only articles published on or before this date"),
    ] = None,
    index_dir: IndexDir = None,
) -> None:
    """Answer one question from the index, with citations."""
    from api.schemas import MAX_QUESTION_CHARS, AskResponse
    from index import IndexMismatch, IndexMissing

    from .filters import BadFilters, Filters
    from .service import QA

    if not question.strip():
        _fail("the question is empty; ask it in plain words")
    if len(question) > MAX_QUESTION_CHARS:
        _fail(f"the question is over {MAX_QUESTION_CHARS} characters; shorten it")
    try:
        filters = Filters(
            outlets=frozenset(outlet or ()),
            published_from=since.date() if since else None,
            published_to=until.date() if until else None,
        )
        qa = QA(_index_dir(index_dir))
        result = qa.ask(question, top_k=top_k, filters=filters)
    except BadFilters as e:
        _fail(str(e).replace("published_from", "--since").replace("published_to", "--until"))
        return
    except (IndexMissing, IndexMismatch) as e:
        _fail(str(e))
        return
    if as_json:
        typer.echo(AskResponse.model_validate(asdict(result)).model_dump_json(indent=2))
    else:
        _print_answer(result)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
    index_dir: IndexDir = None,
) -> None:
    """Serve the HTTP API (docs at /docs)."""
    import uvicorn

    from api import create_app

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from eval.cli import register

    register(app)
    app()


if __name__ == "__main__":
    main()
