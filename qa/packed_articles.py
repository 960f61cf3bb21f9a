"""A saved segment's articles, packed into arrays: their texts and paragraphs, the runs of
their sentences and their headlines' terms, each made into an article's own when that
article is looked up.

As Python objects these were most of a big saved segment's memory, none of it backed by
a file: at a million chunks (158,026 articles), 630 MB of objects, of which the articles'
details took 284 MB (their paragraphs' spans most of it), the arrays of their sentence
ids 120 MB and their headlines' term sets 128 MB. What stays an object is each article's
details without its text or paragraphs, for the filters and listings that read them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, KeysView, Mapping
from dataclasses import replace
from functools import lru_cache

import numpy as np

from index import StoredDocument
from index.records import Span

from .packed import TermSets

# The articles a saved segment keeps decoded (a question reads a few dozen).
TEXTS_KEPT = 256


def pack(
    documents: Mapping[str, StoredDocument],
    doc_sentences: Mapping[str, np.ndarray],
    title_terms: Mapping[str, frozenset[str]],
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """The arrays (for files of their own) and the objects that ``unpack`` makes the
    three mappings of again, each in the order of ``documents``."""
    docs = list(documents.values())
    for d in docs:  # a merge cuts articles' sentences as runs too (merging.py)
        ids = doc_sentences.get(d.doc_id)
        if ids is not None and len(ids) and int(ids[-1]) - int(ids[0]) + 1 != len(ids):
            raise ValueError(f"the sentences of {d.doc_id} are not one run of ids")
    encoded = [d.text.encode("utf-8") for d in docs]
    none = np.zeros(0, np.int64)
    runs = [doc_sentences.get(d.doc_id, none) for d in docs]
    titles = TermSets.of(title_terms.get(d.doc_id, frozenset()) for d in docs)
    arrays = {
        "texts": np.frombuffer(b"".join(encoded), dtype=np.uint8),
        "text_offsets": _offsets([len(e) for e in encoded]),
        "body_spans": np.array(
            [(s.start, s.end) for d in docs for s in d.body], dtype=np.int64
        ).reshape(-1, 2),
        "body_offsets": _offsets([len(d.body) for d in docs]),
        "sentence_runs": np.array(
            [(int(r[0]) if len(r) else 0, len(r)) for r in runs], dtype=np.int64
        ).reshape(-1, 2),
        "title_term_ids": titles.ids,
        "title_term_offsets": titles.offsets,
    }
    details = {d.doc_id: replace(d, text="", body=()) for d in docs}
    return arrays, {"details": details, "title_words": titles.vocabulary}


def unpack(
    arrays: Mapping[str, np.ndarray], objects: Mapping[str, object]
) -> tuple[Texts, SentenceRuns, TitleTerms]:
    """The segment's ``documents``, ``doc_sentences`` and ``title_terms``, read from what
    ``pack`` made."""
    details = objects["details"]
    assert isinstance(details, dict)
    position = {d: i for i, d in enumerate(details)}
    words = objects["title_words"]
    assert isinstance(words, list)
    return (
        Texts(details, position, arrays),
        SentenceRuns(position, arrays["sentence_runs"]),
        TitleTerms(
            position, TermSets(words, arrays["title_term_ids"], arrays["title_term_offsets"])
        ),
    )


class _ByArticle:
    """A mapping of each article of a segment (by its position in the segment) to a value
    made from arrays when asked for."""

    def __init__(self, position: dict[str, int]) -> None:
        self._position = position

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._position

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._position)

    def keys(self) -> KeysView[str]:
        return self._position.keys()


class Texts(_ByArticle, Mapping[str, StoredDocument]):
    """The articles: their details in memory, each text and its paragraphs read from the
    segment's files when the article is looked up, and the last TEXTS_KEPT kept."""

    def __init__(
        self,
        details: dict[str, StoredDocument],
        position: dict[str, int],
        arrays: Mapping[str, np.ndarray],
    ) -> None:
        super().__init__(position)
        self.details = details  # each article with its text and paragraphs left empty
        # Made from a function that holds the arrays, not ``self``: a cache of a bound
        # method would hold its segment's articles in a reference cycle, which only the
        # cyclic collector frees, long after the segment is merged away.
        self._read = lru_cache(maxsize=TEXTS_KEPT)(_reader(details, position, arrays))

    def __getitem__(self, doc_id: str) -> StoredDocument:
        if doc_id not in self._position:
            raise KeyError(doc_id)
        return self._read(doc_id)


def _reader(
    details: dict[str, StoredDocument],
    position: dict[str, int],
    arrays: Mapping[str, np.ndarray],
) -> Callable[[str], StoredDocument]:
    """What reads an article whole: its text and paragraphs from ``arrays``."""
    texts, text_offsets = arrays["texts"], arrays["text_offsets"]  # UTF-8, one after another
    body, body_offsets = arrays["body_spans"], arrays["body_offsets"]  # (start, end) each

    def read(doc_id: str) -> StoredDocument:
        i = position[doc_id]
        a, b = text_offsets[i], text_offsets[i + 1]
        spans = body[body_offsets[i] : body_offsets[i + 1]].tolist()
        return replace(
            details[doc_id],
            text=texts[a:b].tobytes().decode("utf-8"),
            body=tuple(Span(start, end) for start, end in spans),
        )

    return read


class SentenceRuns(_ByArticle, Mapping[str, np.ndarray]):
    """Each article's sentence ids: one run of ids, kept as its first and its length."""

    def __init__(self, position: dict[str, int], runs: np.ndarray) -> None:
        super().__init__(position)
        self._runs = runs  # (first id, count) per article

    def __getitem__(self, doc_id: str) -> np.ndarray:
        first, count = self._runs[self._position[doc_id]].tolist()
        return np.arange(first, first + count, dtype=np.int64)


class TitleTerms(_ByArticle, Mapping[str, frozenset[str]]):
    """Each article's headline terms."""

    def __init__(self, position: dict[str, int], terms: TermSets) -> None:
        super().__init__(position)
        self._terms = terms

    def __getitem__(self, doc_id: str) -> frozenset[str]:
        return self._terms[self._position[doc_id]]


def _offsets(counts: list[int]) -> np.ndarray:
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out
