"""The searchable form of one generation of the stored index: its segments, seen whole.

A ``Corpus`` never changes once built. The next generation is built from it
(``Corpus.load(store, previous)``): the documents changed since are read into one new
segment and marked dead in the old ones, so a refresh costs what changed, not the archive.
Chunks and sentences are addressed by ids that run across segments (see segments.py).
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections.abc import Collection
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from index import Store, StoredDocument
from index.lexical import LexicalView

from .answer_type import group
from .merging import merged_by_policy, next_ids
from .packed import Span
from .segments import Live, Segment
from .terms import _ABBREVIATION, ABBREVIATIONS, fold, lexical_terms, term
from .views import PerDocument, Rows, Sources

__all__ = ["Corpus", "Span"]

_WORDS = re.compile(r"\w+")


@dataclass(frozen=True)
class Corpus:
    """Everything needed to answer from one generation; never changed once built."""

    generation: int
    live: tuple[Live, ...]  # by first id
    lexical: LexicalView  # the chunks' BM25 index, at this generation or just after
    # The store ids of the chunks of a corpus narrowed to some articles; None: all.
    lexical_only: np.ndarray | None = None
    # The first chunk and sentence ids that neither its segments nor a merge under way
    # (merger.py) use: the next segment is numbered from here, or past its segments.
    next_free: tuple[int, int] = (0, 0)

    # -- rows, by id ------------------------------------------------------------
    @cached_property
    def chunks(self) -> Rows[Span]:
        return Rows(self, "chunks", sentences=False)

    @cached_property
    def sentences(self) -> Rows[Span]:
        return Rows(self, "sentences", sentences=True)

    @cached_property
    def sentence_terms(self) -> Rows[frozenset[str]]:
        return Rows(self, "sentence_terms", sentences=True)

    @cached_property
    def entity_spans(self) -> Rows[list[tuple[int, int, str]]]:
        return Rows(self, "entity_spans", sentences=True)

    @cached_property
    def sentence_vectors(self) -> Rows[np.ndarray]:
        return Rows(self, "sentence_vectors", sentences=True)

    @cached_property
    def chunk_sentences(self) -> Rows[np.ndarray]:
        return Rows(self, "chunk_sentences", sentences=False)

    @cached_property
    def sentence_chunk(self) -> Rows[int]:
        return Rows(self, "sentence_chunk", sentences=True)

    # -- articles ---------------------------------------------------------------
    @cached_property
    def documents(self) -> PerDocument[StoredDocument]:
        return PerDocument(self, "documents")

    @cached_property
    def details(self) -> PerDocument[StoredDocument]:
        """The articles, their texts and paragraphs left empty where a saved segment would
        read them from its files (Segment.details): for filters and listings."""
        return PerDocument(self, "details")

    @cached_property
    def doc_sentences(self) -> PerDocument[np.ndarray]:
        return PerDocument(self, "doc_sentences")

    @cached_property
    def title_terms(self) -> PerDocument[frozenset[str]]:
        return PerDocument(self, "title_terms")

    @cached_property
    def sources(self) -> Sources:
        return Sources(self.live)

    @cached_property
    def chunk_count(self) -> int:
        """How many chunks the live articles have."""
        return sum(p.live_chunks() for p in self.live)

    def chunk_id(self, doc_id: str, ordinal: int) -> int:
        for part in reversed(self.live):
            if part.alive(doc_id):
                return part.segment.doc_chunks[doc_id][0] + ordinal
        raise KeyError(doc_id)

    # -- collection-wide words --------------------------------------------------
    def words_with_prefix(self, prefix: str) -> list[str]:
        """The words of the articles that start with ``prefix`` (those of an article
        deleted since its segment was built count until the segment is merged)."""
        return _prefixed([p.segment.words for p in self.live], prefix)

    def terms_with_prefix(self, prefix: str) -> list[str]:
        """The index terms that start with ``prefix``."""
        return _prefixed([p.segment.vocabulary for p in self.live], prefix)

    def has_number(self, n: str) -> bool:
        """Whether a number (in ``number``'s spelling) is written in the articles."""
        return any(n in p.segment.numbers for p in self.live)

    def knows(self, t: str) -> bool:
        """Whether any chunk holds the index term ``t``."""
        return self.lexical.doc_freq(t) > 0

    def idf(self, t: str) -> float:
        """The inverse document frequency of term ``t`` over chunks, as BM25 weighs it. A
        term no chunk holds weighs most: it is the strongest sign that the articles do not
        answer. Chunks deleted since tantivy last merged still count, as in Lucene."""
        n, df = max(self.lexical.num_docs, 1), self.lexical.doc_freq(t)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def spell_out(self, question: str) -> str:
        """``question`` with the abbreviations the articles never use spelt out."""

        def long_form(m: re.Match[str]) -> str:
            short = m.group()
            return short if self.knows(term(fold(short))) else ABBREVIATIONS[short]

        return _ABBREVIATION.sub(long_form, question)

    # -- search -----------------------------------------------------------------
    def nearest_chunks(self, query: np.ndarray, k: int) -> list[int]:
        """The ids of the ``k`` live chunks nearest ``query``, best first."""
        query = np.ascontiguousarray(query, dtype=np.float32)
        key = query.tobytes()
        last = getattr(self._last_search, "found", None)
        if last is not None and last[0] == key and last[1] >= k:
            return last[2][:k]
        found = self._best([hit for part in self.live for hit in part.search(query, k)], k)
        self._last_search.found = (key, k, found)
        return found

    @cached_property
    def _last_search(self) -> threading.local:
        # Each thread's last dense search: an answer searches with the question's vector
        # twice (for the passages, then less deep for the sentences to weigh).
        return threading.local()

    def similarities(self, ids: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """The cosine of each sentence of ``ids`` with ``vector``."""
        if not len(ids):
            return np.zeros(0, dtype=np.float32)
        vectors = self.sentence_vectors.take(ids).astype(np.float32)
        return vectors @ np.asarray(vector, dtype=np.float32)

    def lexical_ranking(self, question: str, depth: int) -> list[int]:
        """The ids of the ``depth`` live chunks BM25 ranks highest for ``question``."""
        terms = lexical_terms(self.spell_out(question))
        found = self.lexical.search(terms, depth, self.lexical_only)
        rows = np.array([r for r, _ in found], dtype=np.int64)
        ids = np.full(len(rows), -1, dtype=np.int64)
        for part in self.live:
            ids = np.maximum(ids, part.chunks_of_rows(rows))
        # A chunk the view holds but this generation does not (written since) is skipped.
        scored = [(score, int(i)) for (_, score), i in zip(found, ids, strict=True) if i >= 0]
        return self._best(scored, depth)

    def order(self, i: int) -> tuple[str, int]:
        """Where chunk ``i`` stands in the collection: ties are broken by this, so that a
        ranking does not depend on which segment holds a chunk."""
        span = self.chunks[i]
        return span.doc_id, span.ordinal

    def _best(self, scored: list[tuple[float, int]], k: int) -> list[int]:
        """The ids of the ``k`` best of ``scored``, equal scores in collection order."""
        ranked = sorted(scored, key=lambda h: -h[0])
        out: list[int] = []
        start = 0
        while start < len(ranked) and len(out) < k:
            end = start + 1
            while end < len(ranked) and ranked[end][0] == ranked[start][0]:
                end += 1
            tied = [i for _, i in ranked[start:end]]
            out += sorted(tied, key=self.order) if len(tied) > 1 else tied
            start = end
        return out[:k]

    def entities(self, i: int, text: str | None = None) -> list[tuple[str, frozenset[str]]]:
        """Sentence ``i``'s named entities as (answer type, the entity's lower-cased words),
        read off the sentence's ``text`` when the caller has it. Read when a sentence is a
        candidate, not on every reload: a collection holds about three per sentence, and a
        question looks at some sixty sentences."""
        if text is None:
            text = self.text(self.sentences[i])
        return [
            (group(label), frozenset(_WORDS.findall(text[a:b].lower())))
            for a, b, label in self.entity_spans[i]
        ]

    def in_article(self, i: int, doc_id: str) -> bool:
        """Whether sentence ``i`` is one of live article ``doc_id``'s (whose ids run
        without gaps)."""
        ids = self.doc_sentences.get(doc_id)
        return ids is not None and len(ids) > 0 and int(ids[0]) <= i <= int(ids[-1])

    def text(self, span: Span) -> str:
        return self.documents[span.doc_id].text[span.start : span.end]

    def narrowed(self, doc_ids: Collection[str]) -> Corpus:
        """This corpus holding only the articles ``doc_ids``: the others are dead to it,
        while the collection's statistics (idf, vocabulary) stay whole."""
        keep = set(doc_ids)
        live = tuple(
            Live(p.segment, p.dead | (p.segment.documents.keys() - keep)) for p in self.live
        )
        rows = np.concatenate([p.live_rows() for p in live] or [np.zeros(0, np.int64)])
        return replace(self, live=live, lexical_only=rows)

    # -- loading ----------------------------------------------------------------
    @classmethod
    def load(cls, store: Store, previous: Corpus | None = None, merge: bool = True) -> Corpus:
        """The newest generation in ``store``: built from ``previous`` with only what
        changed since read, when the store's change log reaches back to it. With
        ``merge``, the merges the policy asks for are done before it returns; a service
        does them in the background instead (merger.py), so that a big merge does not
        hold back a new article. (A service builds one from nothing in pieces instead:
        building.py.)"""
        snap = store.snapshot(since=previous.generation if previous else None)
        # Read after the snapshot: the lexical index commits after the store does, so it is
        # at the snapshot's generation unless a write is between its two commits.
        lexical = store.lexical().view()
        if previous is None or snap.changed is None:
            live: tuple[Live, ...] = (Live(Segment.build(snap, 0, 0)),) if snap.documents else ()
        elif snap.generation == previous.generation:
            if lexical.generation == previous.lexical.generation:
                return previous
            return replace(previous, lexical=lexical)  # it has caught up
        else:
            changed = snap.changed
            live = tuple(
                Live(p.segment, p.dead | (changed & p.segment.documents.keys()))
                for p in previous.live
            )
            live = tuple(p for p in live if len(p.dead) < len(p.segment.documents))
            floor = previous.next_free
            if snap.documents:
                live += (Live(Segment.build(snap, *next_ids(previous.live, floor))),)
            if merge:
                live = merged_by_policy(live, next_ids(previous.live + live, floor))
            return cls(
                generation=snap.generation,
                live=live,
                lexical=lexical,
                next_free=next_ids(previous.live + live, floor),
            )
        return cls(generation=snap.generation, live=live, lexical=lexical)

    @property
    def lexical_behind(self) -> bool:
        """Whether the lexical index this corpus reads lags the store (it is caught up
        by the next write, or ``Store.sync_lexical``)."""
        return self.lexical.generation < self.generation


def _prefixed(lists: list[list[str]], prefix: str) -> list[str]:
    """The strings of the sorted lists ``lists`` that start with ``prefix``, sorted, once."""
    found: set[str] = set()
    for ordered in lists:
        start = bisect.bisect_left(ordered, prefix)
        found.update(ordered[start : bisect.bisect_left(ordered, prefix + "\uffff", start)])
    return sorted(found)
