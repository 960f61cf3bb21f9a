"""The `qa` command: index articles, ask questions, serve HTTP, run the eval suite."""

from __future__ import annotations

import errno
import functools
import logging
import os
import socket
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from qa.settings import Settings

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
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Article files (.txt, .html, ...) or folders of them"),
    ] = None,
    feeds: Annotated[
        list[str] | None,
        typer.Option("--feed", help="An RSS or Atom feed, as a URL or a file; repeatable"),
    ] = None,
    index_dir: IndexDir = None,
    prune: Annotated[bool, typer.Option(help="Remove articles whose files are gone")] = False,
    rebuild: Annotated[
        bool, typer.Option(help="Parse and cut every file again; drop every other article")
    ] = False,
    recut: Annotated[
        bool,
        typer.Option(
            help="Cut every stored article again with this version's splitters, from the "
            "text the index holds (no files needed; nothing is dropped)"
        ),
    ] = False,
) -> None:
    """Add new and changed articles to the index; unchanged ones are not embedded again.

    A running server keeps answering throughout and picks the update up by itself.
    """
    # Only the light part of index/ is imported here: a run with nothing new to embed
    # never loads torch, the model or the text splitters.
    from index import (
        BadArticle,
        IndexCorrupt,
        IndexMismatch,
        IndexProblem,
        SentenceTransformerEmbedder,
        Store,
        index_paths,
        read_feed,
        replacing,
        update,
    )
    from index import recut as recut_stored
    from index.chunk import CUT_VERSION
    from index.embed import MODEL_DIM, MODEL_NAME

    logging.basicConfig(format="qa: warning: %(message)s", level=logging.WARNING)
    if recut and (paths or feeds or prune or rebuild):
        _fail("--recut runs on its own: it reads the stored articles, not files or feeds")
    if not paths and not feeds and not recut:
        _fail("name article files or folders to index, or a feed with --feed URL_OR_FILE")
    if feeds and (paths or prune or rebuild):
        _fail("index feeds in a run of their own: files, --prune and --rebuild go without --feed")
    where = _index_dir(index_dir)
    model: list = []

    def embedder():  # loaded only when something needs embedding
        if not model:
            model.append(SentenceTransformerEmbedder())
        return model[0]

    cut_before: list[int] = []

    def run(folder: Path):
        store = Store(folder, MODEL_NAME, MODEL_DIM, create=not recut)
        try:
            with store.writer():
                cut_before.append(store.cut_version())
                if recut:
                    return recut_stored(store, embedder, progress=sys.stderr.isatty())
                if feeds:
                    return update(store, articles, embedder, progress=sys.stderr.isatty())
                return index_paths(
                    store,
                    paths or [],
                    embedder,
                    prune=prune,
                    rebuild=rebuild,
                    progress=sys.stderr.isatty(),
                )
        finally:
            store.close()

    # Feeds are fetched before the write lock is taken: a slow site holds up no writer.
    articles: list = []
    skipped: list[str] = []
    for feed_where in feeds or []:
        try:
            feed = read_feed(feed_where)
        except BadArticle as e:
            _fail(str(e))
            return
        articles.extend(feed.articles)
        skipped.extend(feed.skipped)
    for message in skipped:
        logging.warning("skipped %s", message)

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
        except IndexCorrupt as e:
            if not rebuild:
                raise
            # Nothing in a damaged file can be trusted: it is kept for a post-mortem and
            # the index is built anew from the files given.
            aside = where.with_name(f"{where.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            where.rename(aside)
            typer.echo(f"qa: {e.__cause__ or e}: moved the damaged index to {aside}", err=True)
            report = run(where)
    except (FileNotFoundError, IndexProblem) as e:
        _fail(str(e))
        return
    report.skipped = report.skipped or skipped
    if recut:
        typer.echo(
            f"{where}: {len(report.unchanged) + len(report.updated)} articles cut again; "
            f"{report.embedded} texts embedded"
        )
        return
    typer.echo(f"{where}: {report.summary()}")
    if not rebuild and cut_before and cut_before[-1] < CUT_VERSION:
        typer.echo(
            f"qa: note: the index notes that its articles were cut into sentences by older "
            f"splitters (version {cut_before[-1]}; these are version {CUT_VERSION}): `qa index "
            "--recut` cuts them again from their stored text, embedding only what changed",
            err=True,
        )


@app.command()
def watch(
    folder: Annotated[Path, typer.Argument(help="The folder of article files to follow")],
    index_dir: IndexDir = None,
    quiet: Annotated[
        float, typer.Option(min=0.1, help="Seconds a changed file must stay unchanged")
    ] = 1.0,
) -> None:
    """Index FOLDER now, then again whenever files land, change or go, until Ctrl-C.

    A file still being written is read only once it has stayed unchanged for --quiet
    seconds; hidden files (".name.part") are never read, so a writer may also rename a
    finished file into place. Each pass is a `qa index FOLDER --prune` under the write lock.
    """
    from index import IndexMismatch, SentenceTransformerEmbedder, Store, index_paths, watch_folder
    from index.embed import MODEL_DIM, MODEL_NAME

    logging.basicConfig(format="qa: warning: %(message)s", level=logging.WARNING)
    if not folder.is_dir():
        _fail(f"{folder}: no such folder")
    where = _index_dir(index_dir)
    model: list = []

    def embedder():
        if not model:
            model.append(SentenceTransformerEmbedder())
        return model[0]

    def index_once():
        store = Store(where, MODEL_NAME, MODEL_DIM)
        try:
            with store.writer():
                return index_paths(store, [folder], embedder, prune=True)
        finally:
            store.close()

    typer.echo(f"watching {folder.resolve()} (Ctrl-C to stop)")
    try:
        watch_folder(folder, index_once, lambda r: typer.echo(f"{where}: {r.summary()}"), quiet)
    except IndexMismatch as e:
        _fail(f"{e}; run `qa index {folder} --rebuild` first")
    except KeyboardInterrupt:
        pass


@app.command()
def check(index_dir: IndexDir = None) -> None:
    """Check the index's database for damage, page by page (exit 1 if damaged)."""
    from index import IndexProblem, Store
    from index.embed import MODEL_DIM, MODEL_NAME

    where = _index_dir(index_dir)
    try:
        store = Store(where, MODEL_NAME, MODEL_DIM, create=False)
        try:
            problems = store.verify(full=True)
            summary = f"{len(store.fingerprints())} documents, generation {store.generation()}"
        finally:
            store.close()
    except IndexProblem as e:
        _fail(str(e), code=1)
        return
    if problems:
        _fail(
            f"the index at {where} is damaged: {'; '.join(problems)}; rebuild it with "
            "`qa index --rebuild PATH`",
            code=1,
        )
    typer.echo(f"{where}: ok, {summary}")


def _print_answer(result) -> None:
    if not result.answerable:
        typer.echo(
            f"The articles don't say. ({result.reason}; "
            f"answerability {result.answerability or 0.0:.2f})"
        )
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
    from index import IndexProblem
    from qa.filters import BadFilters, Filters
    from qa.service import QA

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
    except IndexProblem as e:
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
    create: Annotated[
        bool, typer.Option(help="Start with an empty index if the folder holds none")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes answering side by side, one a core (each holds the "
            "index's working memory once more)",
        ),
    ] = 1,
) -> None:
    """Serve the HTTP API (docs at /docs)."""
    import uvicorn

    from api import create_app
    from api.observe import configure_logging
    from index import IndexProblem, Store
    from index.embed import MODEL_DIM, MODEL_NAME

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    try:  # refuse here, in a line, what would fail the server's start with a traceback
        store = Store(settings.index_dir, MODEL_NAME, MODEL_DIM, create=create)
        try:
            damage = store.verify()
        finally:
            store.close()
    except IndexProblem as e:
        hint = " (or start empty with `qa serve --create`)" if "no index at" in str(e) else ""
        _fail(f"{e}{hint}")
        return
    if damage:
        _fail(
            f"the index database in {settings.index_dir} is damaged ({'; '.join(damage)}): "
            "rebuild it with `qa index --rebuild PATH`"
        )
    _port_free(host, port)
    configure_logging(settings.log_format)
    run = functools.partial(uvicorn.run, host=host, port=port, log_config=None, access_log=False)
    if workers == 1:
        run(create_app(settings))
        return
    # Each worker builds its app from the environment (api.app.worker_app) and writes its
    # metrics to files that /metrics, in whichever worker answers it, adds up.
    with tempfile.TemporaryDirectory(prefix="qa-metrics-") as metrics_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
        os.environ["QA_INDEX_DIR"] = str(settings.index_dir.resolve())
        run("api.app:worker_app", factory=True, workers=workers)


def _port_free(host: str, port: int) -> None:
    """Fail in a line if ``port`` is taken, rather than after the model has loaded."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                _fail(
                    f"port {port} on {host} is already in use: choose another with "
                    f"`qa serve --port N` (or `make run PORT=N`)"
                )
            _fail(f"cannot listen on {host}:{port}: {e.strerror}")


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from eval.cli import register

    register(app)
    app()


if __name__ == "__main__":
    main()
