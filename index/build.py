"""Bring the stored index up to date with a set of article files or texts."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .embed import Embedder
from .entities import Recognizer, SpacyRecognizer
from .html import HTML_SUFFIXES, is_url
from .parse import BadArticle
from .read import read_article, read_text
from .records import Article
from .store import Entry, Fingerprint, Store, norm_hash, text_hash

log = logging.getLogger(__name__)

# Texts embedded and cached per step: a killed update keeps what it had embedded, and
# the progress bar moves this often.
EMBED_BATCH = 128


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
    """The files named, and every non-hidden file under the folders named, sorted, as
    absolute paths (so ``--prune`` finds them from any working folder)."""
    out: set[Path] = set()
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            for p in path.rglob("*"):
                hidden = any(part.startswith(".") for part in p.relative_to(path).parts)
                if p.is_file() and not hidden:
                    out.add(p)
        elif path.exists():
            out.add(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(out)


def entry(article: Article) -> Entry:
    """Cut an article into its stored spans."""
    # Imported here: the splitters pull in langchain, which an update with nothing new
    # never needs.
    from .chunk import chunk, sentences

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
        for start, end, h in [c[:3] for c in e.chunks] + [s[:3] for s in e.sentences]:
            texts.setdefault(h, t[start:end])
    missing = sorted(store.missing_vectors(texts))
    if not missing:
        return 0
    from tqdm import tqdm

    model = embedder()
    with tqdm(total=len(missing), desc="embedding", unit="text", disable=not progress) as bar:
        for i in range(0, len(missing), EMBED_BATCH):
            part = missing[i : i + EMBED_BATCH]
            vectors = model.embed([texts[h] for h in part])
            store.put_vectors(dict(zip(part, vectors, strict=True)))
            bar.update(len(part))
    return len(missing)


def find_entities(
    store: Store, entries: Sequence[Entry], recognizer: Callable[[], Recognizer] | None
) -> int:
    """Find the named entities of every sentence text the store has none for yet (those
    of ``entries``, and any stored before entities were kept); returns how many texts."""
    texts = store.sentences_without_entities()
    for e in entries:
        for start, end, h, _ in e.sentences:
            texts.setdefault(h, e.article.text[start:end])
    missing = sorted(store.missing_entities(texts))
    if not missing:
        return 0
    model = recognizer() if recognizer else SpacyRecognizer()
    for i in range(0, len(missing), EMBED_BATCH * 8):
        part = missing[i : i + EMBED_BATCH * 8]
        found = model.entities([texts[h] for h in part])
        store.put_entities(dict(zip(part, found, strict=True)))
    return len(missing)


def _unchanged(stored: Fingerprint | None, article: Article) -> bool:
    return stored == Fingerprint(
        text_hash(article.text), article.source, article.title, article.published
    )


def update(
    store: Store,
    articles: Sequence[Article],
    embedder: Callable[[], Embedder],
    deletes: Sequence[str] = (),
    progress: bool = False,
    replace_all: bool = False,
    recognizer: Callable[[], Recognizer] | None = None,
) -> Report:
    """Add or replace ``articles`` and delete ``deletes``, in one transaction.

    An article whose text and metadata are stored already is left alone, unless
    ``replace_all``: then every article is cut into spans again and every stored document
    not among ``articles`` is deleted. Either way only texts never embedded before are
    embedded, and ``embedder`` is called only if there are some.
    """
    report = Report()
    known = store.fingerprints()
    fresh: list[Entry] = []
    for article in articles:
        stored = known.get(article.doc_id)
        if (
            stored
            and stored.content_hash == text_hash(article.text)
            and (replace_all or _unchanged(stored, article))
        ):
            report.unchanged.append(article.doc_id)
            if not replace_all:
                continue
        else:
            (report.updated if stored else report.added).append(article.doc_id)
        fresh.append(entry(article))
    if replace_all:
        given = {a.doc_id for a in articles}
        report.removed = sorted(d for d in known if d not in given)
    else:
        report.removed = [d for d in deletes if d in known]
    report.embedded = embed_missing(store, fresh, embedder, progress)
    find_entities(store, fresh, recognizer)
    if fresh or report.removed:
        report.generation = store.write(fresh, report.removed, replace_all=replace_all)
    else:
        report.generation = store.generation()
    return report


def recut(
    store: Store,
    embedder: Callable[[], Embedder],
    progress: bool = False,
    recognizer: Callable[[], Recognizer] | None = None,
) -> Report:
    """Cut every stored article again with today's splitters (chunk.CUT_VERSION), from the
    text the store holds, in one transaction: no file or feed is read again, and only the
    spans whose text is new are embedded. Articles sent over HTTP, which ``rebuild`` would
    drop for having no file, are kept."""
    articles = [
        Article(
            doc_id=d.doc_id,
            text=d.text,
            title=d.title,
            published=d.published,
            source=d.source,
            outlet=d.outlet,
            author=d.author,
            body=d.body,
        )
        for d in store.documents()
    ]
    report = update(
        store, articles, embedder, progress=progress, replace_all=True, recognizer=recognizer
    )
    if not articles:
        store.note_cut()  # nothing was written to note it
    return report


def _file_hash(path: Path) -> str | None:
    """The content hash ``read_article`` would give the file, without parsing it."""
    if path.suffix.lower() in HTML_SUFFIXES:
        return None  # its stored text is what trafilatura extracts: read_article finds it
    try:
        return text_hash(read_text(path))
    except BadArticle:
        return None  # read_article says what is wrong


def index_paths(
    store: Store,
    paths: Sequence[Path],
    embedder: Callable[[], Embedder],
    prune: bool = False,
    progress: bool = False,
    rebuild: bool = False,
) -> Report:
    """Index every article file under ``paths``; a bad file is reported and skipped.

    A file whose text is stored already is only read and hashed, not parsed or chunked.
    ``rebuild`` parses and chunks every file again and drops every stored document not
    among them, reusing the cached vectors, in one transaction.
    """
    files = article_files(paths)
    known = store.fingerprints()
    articles, unchanged, skipped, seen = [], [], [], set()
    for path in files:
        doc_id = path.stem
        if doc_id in seen:
            msg = f"{path}: another file already has doc_id {doc_id!r}; rename one"
            log.warning("skipped %s", msg)
            skipped.append(msg)
            continue
        stored = known.get(doc_id)
        if (
            not rebuild
            and stored
            and (stored.content_hash, stored.source) == (_file_hash(path), str(path))
        ):
            seen.add(doc_id)
            unchanged.append(doc_id)
            continue
        try:
            article = read_article(path)
        except BadArticle as e:
            log.warning("skipped %s", e)
            skipped.append(str(e))
            continue
        seen.add(doc_id)
        articles.append(article)
    deletes: list[str] = []
    if rebuild:
        deletes = [d for d in store.fingerprints() if d not in seen]
    elif prune:
        roots = [p.resolve() for p in paths]
        for doc_id, stored in known.items():
            # A page stored under its own URL is not tracked to its file.
            if doc_id in seen or not stored.source or is_url(stored.source):
                continue
            where = Path(stored.source).resolve()
            if any(where == r or r in where.parents for r in roots) and not where.exists():
                deletes.append(doc_id)
    report = update(store, articles, embedder, deletes, progress, replace_all=rebuild)
    report.unchanged = unchanged + report.unchanged
    report.skipped = skipped
    return report


@contextmanager
def replacing(directory: Path) -> Iterator[Path]:
    """A new folder to build an index in, put in place of ``directory`` once the block
    succeeds. Until then ``directory`` is left as it was; on failure the new one is removed.
    """
    directory = Path(directory)
    fresh = directory.with_name(f".{directory.name}.new-{os.getpid()}")
    old = directory.with_name(f".{directory.name}.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        yield fresh
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if directory.exists():
        directory.rename(old)
    fresh.rename(directory)
    shutil.rmtree(old, ignore_errors=True)
