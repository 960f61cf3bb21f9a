"""The lexical (BM25) index of the chunks: a tantivy index that grows by segments.

Each ``write`` is one tantivy commit: new segments for the added chunks, deletes marked on
the old ones, and the generation it brings the index to. Tantivy merges segments in the
background under its default ``LogMergePolicy`` (the Python binding offers no other): the
segments are grouped into layers by their live documents (everything under 10,000 in one,
then layers 0.75 of a log2 apart) and a layer of 8 segments is merged into one, so a
segment shrunk by deletes sinks into a smaller layer and its dead documents go when that
layer next merges. Merges run in tantivy's own threads and never block readers; a write
returns after its commit, not after the merges it sets off. A segment above 10 million
live documents is never merged.

The generation rides in the same commit, as a document of its own that has no terms and
no chunk id (the binding cannot set tantivy's commit payload). A commit is all or nothing,
so after any crash ``committed_generation`` is exactly the last generation whose chunks
the index holds; the owner replays the generations after it. Nothing is written outside
tantivy's own files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import tantivy
from tantivy import Occur, Query

from .faults import IndexCorrupt, IndexMissing
from .lexical_faults import mismatch, told

CHUNK = "chunk"  # the chunk's id: a SQLite rowid, so a signed 64-bit integer
TERMS = "terms"  # its index terms (index.terms.stems), joined by single spaces
GENERATION = "generation"  # only on the one live document that records the generation


def _schema() -> tantivy.Schema:
    schema = tantivy.SchemaBuilder()
    schema.add_integer_field(CHUNK, indexed=True, fast=True)
    # Built-in whitespace tokenizer: the terms are already normalised, so tantivy only
    # splits them. Frequencies but no positions: BM25 needs no phrases.
    schema.add_text_field(TERMS, tokenizer_name="whitespace", index_option="freq")
    schema.add_integer_field(GENERATION, indexed=True, fast=True)
    return schema.build()


SCHEMA = _schema()
# One indexing thread (this machine has two cores, shared) writes one segment per commit.
WRITER_THREADS = 1
WRITER_HEAP_BYTES = 64_000_000
# Up to this many chunks, ``only`` is a union of term queries, past it a term set query.
# The union was 2-4x faster for 10-100 chunks; the term set was faster from some 500 chunks
# on in the BBC index (12,780 chunks) and from some 3,000 at 1M (bench/RESULTS.md).
FEW = 512
_OPEN_TRIES = 3


@dataclass(frozen=True)
class Segment:
    """One committed segment: its documents, and how many of them are deleted."""

    documents: int
    deleted: int


class LexicalView:
    """The lexical index as one commit left it; later writes never change what it answers."""

    def __init__(self, searcher: tantivy.Searcher) -> None:
        self._searcher = searcher
        found = searcher.search(Query.exists_query(GENERATION), 1, count=False).hits
        generations = _integers(searcher, GENERATION, [address for _, address in found])
        self.generation: int = generations[0] if generations else 0
        # The generation's own document is no chunk.
        self.num_docs: int = searcher.num_docs - (1 if found else 0)

    def doc_freq(self, term: str) -> int:
        """How many chunks hold ``term`` (counting deleted ones until a merge drops them, as
        BM25's own weights do)."""
        return int(self._searcher.doc_freq(TERMS, term))

    def search(
        self, terms: list[str], k: int, only: Collection[int] | None = None
    ) -> list[tuple[int, float]]:
        """The ``k`` chunks best matching any of ``terms`` by BM25, as (chunk id, score),
        best first. A term given twice counts twice. ``only``: those chunk ids alone."""
        words = " ".join(terms).split()
        among = None if only is None else [int(c) for c in only]  # numpy ids too
        if k <= 0 or not words or among == []:
            return []
        query = Query.boolean_query(
            [(Occur.Should, Query.term_query(SCHEMA, TERMS, w, index_option="freq")) for w in words]
        )
        if among is not None:
            within = (
                Query.boolean_query(
                    [(Occur.Should, Query.term_query(SCHEMA, CHUNK, c)) for c in among]
                )
                if len(among) <= FEW
                else Query.term_set_query(SCHEMA, CHUNK, among)
            )
            query = Query.boolean_query(
                [(Occur.Must, query), (Occur.Must, Query.const_score_query(within, 0.0))]
            )
        hits = self._searcher.search(query, k, count=False).hits
        chunks = _integers(self._searcher, CHUNK, [address for _, address in hits])
        return [(c, float(score)) for (score, _), c in zip(hits, chunks, strict=True)]


def _integers(
    searcher: tantivy.Searcher, field: str, addresses: list[tantivy.DocAddress]
) -> list[int]:
    """An integer field of the documents at ``addresses``, read from its fast column."""
    values = searcher.fast_field_values(field, addresses)
    if any(not isinstance(v, int) for v in values):
        raise IndexCorrupt(f"a document of the lexical index has no {field}")
    return [int(v) for v in values if isinstance(v, int)]


class LexicalIndex:
    """The tantivy index in ``directory``, created there if absent (unless ``create`` is
    False). Any number of processes may read it; one at a time may write."""

    def __init__(self, directory: Path, create: bool = True) -> None:
        self.directory = Path(directory)
        self._writer: tantivy.IndexWriter | None = None
        self._generation = 0  # the last committed generation, once this object writes
        with told(self.directory):
            if self.directory.is_dir() and tantivy.Index.exists(str(self.directory)):
                self._index = tantivy.Index.open(str(self.directory))
                if self._index.schema != SCHEMA:
                    raise mismatch(self.directory)
            elif create:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._index = tantivy.Index(SCHEMA, path=str(self.directory), reuse=False)
            else:
                raise IndexMissing(f"there is no lexical index at {self.directory}")
            # Readers move to a new commit when asked (``view``), never behind our back.
            self._index.config_reader(reload_policy="Manual")

    def committed_generation(self) -> int:
        """The generation of the last commit on disk; 0 for a new index."""
        return self.view().generation

    def view(self) -> LexicalView:
        """A reader of the last commit on disk (a point-in-time view)."""
        for attempt in range(_OPEN_TRIES):
            try:
                with told(self.directory):
                    self._index.reload()
                    return LexicalView(self._index.searcher())
            except IndexCorrupt as e:
                # A writer in another process may have merged away, and deleted, the
                # segments of the commit this reader had just read of: read the next one.
                if attempt == _OPEN_TRIES - 1 or "FileDoesNotExist" not in str(e):
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def write(
        self, adds: Iterable[tuple[int, list[str]]], deletes: Iterable[int], generation: int
    ) -> None:
        """In one commit: delete the chunks ``deletes``, add each (chunk id, its index
        terms) of ``adds`` (replacing a chunk of that id), and record ``generation``, which
        must be above the committed one. Returns once the commit is durable."""
        documents = _documents(adds)
        replaced = {int(c) for c in deletes} | {c for c, _ in documents}
        writer = self._writable()
        if generation <= self._generation:
            raise ValueError(
                f"generation {generation} is not after the lexical index's {self._generation}"
            )

        def clear() -> None:
            # A delete applies to what was added before it, so the adds after survive.
            if replaced:
                writer.delete_documents_by_query(
                    Query.term_set_query(SCHEMA, CHUNK, sorted(replaced))
                )

        self._commit(writer, clear, [d for _, d in documents], generation)

    def rebuild(self, adds: Iterable[tuple[int, list[str]]], generation: int) -> None:
        """In one commit: every chunk dropped, each of ``adds`` indexed, and ``generation``
        recorded, whatever the committed one (to bring an index that fell behind, or
        never was, in line with the store)."""
        documents = _documents(adds)
        writer = self._writable()
        self._commit(writer, writer.delete_all_documents, [d for _, d in documents], generation)

    def _commit(
        self,
        writer: tantivy.IndexWriter,
        clear: Callable[[], object],
        documents: list[tantivy.Document],
        generation: int,
    ) -> None:
        try:
            with told(self.directory):
                clear()
                writer.delete_documents_by_query(Query.exists_query(GENERATION))
                for document in documents:
                    writer.add_document(document)
                marker = tantivy.Document()
                marker.add_integer(GENERATION, generation)
                writer.add_document(marker)
                writer.commit()
        except BaseException:
            # What the writer held uncommitted goes with it; the next write takes a new one.
            self._writer = None
            raise
        self._generation = generation

    def segments(self) -> list[Segment]:
        """The committed segments, read from tantivy's meta.json (for benchmarks and
        tests: how many there are and how many deleted documents wait for a merge)."""
        meta = json.loads((self.directory / "meta.json").read_text())
        return [
            Segment(s["max_doc"], (s.get("deletes") or {}).get("num_deleted_docs", 0))
            for s in meta["segments"]
        ]

    def close(self, wait_for_merges: bool = True) -> None:
        """Let go of the writer (and its lock), after the merges under way finish if
        ``wait_for_merges``; otherwise they are dropped and redone by a later writer."""
        writer, self._writer = self._writer, None
        if writer is not None and wait_for_merges:
            with told(self.directory):
                writer.wait_merging_threads()

    def __enter__(self) -> LexicalIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _writable(self) -> tantivy.IndexWriter:
        """The writer, taken once (with tantivy's lock on the folder) and kept: its
        background merges live as long as it does."""
        if self._writer is None:
            with told(self.directory):
                writer = self._index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=WRITER_THREADS)
            self._generation = self.committed_generation()
            self._writer = writer
        return self._writer


def _documents(adds: Iterable[tuple[int, list[str]]]) -> list[tuple[int, tantivy.Document]]:
    """Each (chunk id, its terms) as the document that indexes it."""
    out = []
    for chunk_id, terms in adds:
        text = " ".join(terms)
        if len(text.split()) != len(terms):
            raise ValueError(f"an index term of chunk {chunk_id} is empty or has a space")
        document = tantivy.Document()
        document.add_integer(CHUNK, int(chunk_id))
        document.add_text(TERMS, text)
        out.append((int(chunk_id), document))
    return out
