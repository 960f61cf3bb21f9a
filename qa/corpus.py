"""The searchable in-memory form of one generation of the stored index."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
import faiss
import numpy as np
from bm25s.tokenization import Tokenizer

from index import Store, StoredDocument
from index.terms import STOPWORDS as STOPWORDS  # re-exported: one definition, in index/
from index.terms import content_words as content_words
from index.terms import stems, term

from .answer_type import group


def tokenizer() -> Tokenizer:
    return Tokenizer(stemmer=term, stopwords="en")


# Abbreviations readers type that articles often spell out. A question's abbreviation is
# read as its long form only when the articles never use the abbreviation itself.
ABBREVIATIONS = {
    "CEO": "chief executive",
    "CFO": "chief financial officer",
    "COO": "chief operating officer",
    "CTO": "chief technology officer",
    "ER": "emergency room",
    "ERs": "emergency rooms",
    "ICU": "intensive care unit",
    "PM": "prime minister",
    "MP": "member of parliament",
    "MPs": "members of parliament",
    "UN": "United Nations",
    "EU": "European Union",
    "UK": "United Kingdom",
    "NGO": "nongovernmental organization",
    "NGOs": "nongovernmental organizations",
    "govt": "government",
    "dept": "department",
}
# Not after a figure: "5 PM" is a time.
_ABBREVIATION = re.compile(r"(?<!\d)(?<!\d\s)\b(" + "|".join(ABBREVIATIONS) + r")\b")


def fold(text: str) -> str:
    """Lower-cased, without accents: "Sánchez" and "Sanchez" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def number(written: str) -> str:
    """A number as written ("2,850", "14.50") in one spelling for comparison ("2850",
    "14.5")."""
    n = written.replace(",", "")
    return n.rstrip("0").rstrip(".") if "." in n else n


@dataclass(frozen=True)
class Span:
    doc_id: str
    ordinal: int
    start: int
    end: int


@dataclass(frozen=True)
class Corpus:
    """Everything needed to answer from one generation; never changed once built."""

    generation: int
    documents: dict[str, StoredDocument]
    chunks: list[Span]
    dense: faiss.Index  # inner product over unit vectors: cosine
    bm25: bm25s.BM25 | None
    tokens: Tokenizer
    sentences: list[Span]
    sentence_vectors: np.ndarray
    sentence_terms: list[frozenset[str]]  # each sentence's stems
    chunk_sentences: list[np.ndarray]  # per chunk: the sentences it overlaps
    doc_sentences: dict[str, np.ndarray]  # per article: its sentences
    sources: dict[str, frozenset[str]]  # outlet or author, lower-cased -> doc_ids
    sentence_chunk: np.ndarray  # per sentence: the first chunk it overlaps
    chunk_position: dict[tuple[str, int], int]  # (doc_id, ordinal) -> index in chunks
    idf: np.ndarray  # per token id, over chunks
    words: list[str]  # every word the articles use, lower-cased and sorted
    vocabulary: list[str]  # every index term (stem), sorted
    numbers: frozenset[str]  # every number written in the articles, without separators
    # per sentence: its named entities as (start, end, spaCy label), within the sentence
    entity_spans: list[list[tuple[int, int, str]]]
    title_terms: dict[str, frozenset[str]]  # per article: its headline's stems
    # Per chunk: its row in ``bm25``, when this corpus is narrowed from a larger one whose
    # BM25 index it shares (qa/narrow.py); None when the rows are the chunks themselves.
    bm25_rows: np.ndarray | None = None

    def spell_out(self, question: str) -> str:
        """``question`` with the abbreviations the articles never use spelt out."""

        vocab = self.tokens.get_vocab_dict()

        def long_form(m: re.Match[str]) -> str:
            short = m.group()
            return short if term(fold(short)) in vocab else ABBREVIATIONS[short]

        return _ABBREVIATION.sub(long_form, question)

    def words_with_prefix(self, prefix: str) -> list[str]:
        """The words of the articles that start with ``prefix``."""
        return _prefixed(self.words, prefix)

    def terms_with_prefix(self, prefix: str) -> list[str]:
        """The index terms (stems) that start with ``prefix``."""
        return _prefixed(self.vocabulary, prefix)

    def entities(self, i: int) -> list[tuple[str, frozenset[str]]]:
        """Sentence ``i``'s named entities as (answer type, the entity's lower-cased words).
        Read when a sentence is a candidate, not on every reload: a collection holds about
        three per sentence, and a question looks at some sixty sentences."""
        span = self.sentences[i]
        text = self.documents[span.doc_id].text
        return [
            (
                group(label),
                frozenset(re.findall(r"\w+", text[span.start + a : span.start + b].lower())),
            )
            for a, b, label in self.entity_spans[i]
        ]

    def text(self, span: Span) -> str:
        return self.documents[span.doc_id].text[span.start : span.end]

    def terms(self, text: str) -> list[int]:
        ids = self.tokens.tokenize([text], update_vocab=False, return_as="ids", show_progress=False)
        return [t for t in ids[0] if t != 0]

    @classmethod
    def load(cls, store: Store) -> Corpus:
        (
            generation,
            documents,
            (chunk_rows, chunk_vectors),
            (sent_rows, sent_vectors),
            entity_rows,
        ) = store.snapshot()
        docs = {d.doc_id: d for d in documents}
        chunks = [Span(*r) for r in chunk_rows]
        sentences = [Span(*r) for r in sent_rows]
        dense = faiss.IndexFlatIP(store.dim)
        if len(chunks):
            dense.add(np.ascontiguousarray(chunk_vectors))

        tokens = tokenizer()
        chunk_texts = [docs[c.doc_id].text[c.start : c.end] for c in chunks]
        chunk_ids = tokens.tokenize(
            chunk_texts, update_vocab=True, return_as="ids", show_progress=False
        )
        bm25 = None
        if chunks:
            bm25 = bm25s.BM25()
            bm25.index(chunk_ids, show_progress=False)
        vocab = len(tokens.get_vocab_dict())
        df = np.zeros(vocab + 1, dtype=np.float64)
        for ids in chunk_ids:
            df[list(set(ids))] += 1
        n = max(len(chunks), 1)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))

        sentence_terms = [frozenset(stems(docs[s.doc_id].text[s.start : s.end])) for s in sentences]
        doc_sentences = _by_doc(sentences)
        chunk_sentences = _overlaps(chunks, sentences, doc_sentences)
        raw = {
            w
            for d in docs.values()
            for text in (d.text, d.title, d.author or "", d.outlet or "")
            for w in re.findall(r"\w+", text.lower())
        }
        # Accents are dropped word by word, from the distinct words only: folding every
        # character of every article doubled a reload's time at 5,000 articles.
        words = sorted({w if w.isascii() else fold(w) for w in raw})
        return cls(
            generation=generation,
            documents=docs,
            chunks=chunks,
            dense=dense,
            bm25=bm25,
            tokens=tokens,
            sentences=sentences,
            sentence_vectors=np.ascontiguousarray(sent_vectors),
            sentence_terms=sentence_terms,
            chunk_sentences=chunk_sentences,
            doc_sentences=doc_sentences,
            sources=_sources(docs.values()),
            sentence_chunk=_first_chunk(chunk_sentences, len(sentences)),
            chunk_position={(c.doc_id, c.ordinal): i for i, c in enumerate(chunks)},
            idf=idf,
            words=words,
            vocabulary=sorted(tokens.get_vocab_dict()),
            numbers=frozenset(number(n) for d in docs.values() for n in NUMBER.findall(d.text)),
            entity_spans=entity_rows,
            title_terms={d.doc_id: frozenset(stems(d.title)) for d in docs.values()},
        )


def _prefixed(ordered: list[str], prefix: str) -> list[str]:
    """The strings of the sorted list ``ordered`` that start with ``prefix``."""
    start = bisect.bisect_left(ordered, prefix)
    return ordered[start : bisect.bisect_left(ordered, prefix + "\uffff", start)]


def _first_chunk(chunk_sentences: list[np.ndarray], n: int) -> np.ndarray:
    first = np.full(n, -1, dtype=np.int64)
    for c in range(len(chunk_sentences) - 1, -1, -1):
        first[chunk_sentences[c]] = c
    return first


def source_names(outlet: str | None, author: str | None) -> list[str]:
    """How a question may name an article's source: its outlet or an author's full name
    ("Northern Wire Service", "Jack Phillips"), as lower-cased words joined by spaces. A
    surname alone is not enough: the story may quote someone else of that name."""
    names = [outlet] if outlet else []
    if author:
        names += [n for n in re.split(r",|\band\b", author) if n.strip()]
    return [" ".join(re.findall(r"\w+", n.lower())) for n in names if re.search(r"\w", n)]


def _sources(docs: Iterable[StoredDocument]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for d in docs:
        for name in source_names(d.outlet, d.author):
            out.setdefault(name, set()).add(d.doc_id)
    return {name: frozenset(ids) for name, ids in out.items()}


def _by_doc(sentences: list[Span]) -> dict[str, np.ndarray]:
    ids: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        ids.setdefault(s.doc_id, []).append(i)
    return {d: np.array(v, dtype=np.int64) for d, v in ids.items()}


def _overlaps(
    chunks: list[Span], sentences: list[Span], by_doc: dict[str, np.ndarray]
) -> list[np.ndarray]:
    """For each chunk, the indices of the sentences that overlap it (both lists are sorted)."""
    out = []
    for c in chunks:
        ids = [
            i
            for i in by_doc.get(c.doc_id, np.zeros(0, np.int64)).tolist()
            if sentences[i].start < c.end and sentences[i].end > c.start
        ]
        out.append(np.array(ids, dtype=np.int64))
    return out
