"""Bring the stored index up to date with a set of article files or texts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .chunk import chunk, sentences
from .embed import Embedder
from .parse import BadArticle, read_article
from .records import Article
from .store import Entry, Store, norm_hash, text_hash

log = logging.getLogger(__name__)


@dataclass
class Report:
    """What one update did, by doc_id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one message per bad input
    embedded: int = 0  # texts embedded in this update (the rest came from the cache)
    generation: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed, "
            f"{len(self.skipped)} skipped as bad; {self.embedded} texts embedded"
        )


def article_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every non-hidden file under the folders named, sorted."""
    out: set[Path] = set()
    for path in paths:
        if path.is_dir():
            out.update(
                p for p in path.rglob("*")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            out.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(out)


def entry(article: Article) -> Entry:
    """Cut an article into its stored spans."""
    return Entry(
        article=article,
        content_hash=text_hash(article.text),
        chunks=tuple((c.start, c.end, text_hash(c.text)) for c in chunk(article)),
        sentences=tuple(
            (s.start, s.end, text_hash(s.text), norm_hash(s.text)) for s in sentences(article)
        ),
    )


def embed_missing(
    store: Store, entries: Sequence[Entry], embedder: Callable[[], Embedder], progress: bool
) -> int:
    """Embed the span texts the store has no vector for yet; returns how many."""
    texts: dict[str, str] = {}
    for e in entries:
        t = e.article.text
        for start, end, h, *_ in (*e.chunks, *e.sentences):
            texts.setdefault(h, t[start:end])
    missing = sorted(store.missing_vectors(texts))
    if not missing:
        return 0
    model = embedder()
    batch = 256  # cache in batches, so a killed update keeps what it had embedded
    for i in range(0, len(missing), batch):
        part = missing[i : i + batch]
        vectors = model.embed([texts[h] for h in part], progress=progress)
        store.put_vectors(dict(zip(part, vectors, strict=True)))
    return len(missing)


def update(
    store: Store,
    articles: Sequence[Article],
    embedder: Callable[[], Embedder],
    deletes: Sequence[str] = (),
    progress: bool = False,
) -> Report:
    """Add or replace ``articles`` (unchanged ones are left alone) and delete ``deletes``.

    ``embedder`` is called only if some text needs embedding, so an update with nothing
    new never loads the model.
    """
    report = Report()
    known = store.fingerprints()
    fresh: list[Entry] = []
    for article in articles:
        e = entry(article)
        stored = known.get(article.doc_id)
        if stored and stored[0] == e.content_hash and stored[1] == article.source:
            report.unchanged.append(article.doc_id)
            continue
        (report.updated if stored else report.added).append(article.doc_id)
        fresh.append(e)
    report.removed = [d for d in deletes if d in known]
    report.embedded = embed_missing(store, fresh, embedder, progress)
    if fresh or report.removed:
        report.generation = store.write(fresh, report.removed)
    else:
        report.generation = store.generation()
    return report


def index_paths(
    store: Store,
    paths: Sequence[Path],
    embedder: Callable[[], Embedder],
    prune: bool = False,
    progress: bool = False,
) -> Report:
    """Index every article file under ``paths``; a bad file is reported and skipped."""
    files = article_files(paths)
    articles, skipped, seen = [], [], set()
    for path in files:
        try:
            article = read_article(path)
        except BadArticle as e:
            log.warning("skipped %s", e)
            skipped.append(str(e))
            continue
        if article.doc_id in seen:
            msg = f"{path}: another file already has doc_id {article.doc_id!r}; rename one"
            log.warning("skipped %s", msg)
            skipped.append(msg)
            continue
        seen.add(article.doc_id)
        articles.append(article)
    deletes: list[str] = []
    if prune:
        roots = [p.resolve() for p in paths]
        for doc_id, (_, source) in store.fingerprints().items():
            if doc_id in seen or not source:
                continue
            where = Path(source).resolve()
            if any(where == r or r in where.parents for r in roots) and not where.exists():
                deletes.append(doc_id)
    report = update(store, articles, embedder, deletes, progress)
    report.skipped = skipped
    return report
