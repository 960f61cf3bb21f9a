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

from collections.abc import Callable, Iterator, KeysView, Mapping, Sequence
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
    three mappings of again, each in the order of ``documents``. Articles packed already
    (``Texts``, as a merge makes them) are taken as they are, never decoded."""
    doc_ids = list(documents)
    for doc_id in doc_ids:  # a merge cuts articles' sentences as runs too (merging.py)
        ids = doc_sentences.get(doc_id)
        if ids is not None and len(ids) and int(ids[-1]) - int(ids[0]) + 1 != len(ids):
            raise ValueError(f"the sentences of {doc_id} are not one run of ids")
    texts = documents if isinstance(documents, Texts) else packed_texts([(documents, doc_ids)])
    none = np.zeros(0, np.int64)
    runs = [doc_sentences.get(d, none) for d in doc_ids]
    titles = TermSets.of(title_terms.get(d, frozenset()) for d in doc_ids)
    arrays = {
        **{name: texts.arrays[name] for name in TEXT_ARRAYS},
        "sentence_runs": np.array(
            [(int(r[0]) if len(r) else 0, len(r)) for r in runs], dtype=np.int64
        ).reshape(-1, 2),
        "title_term_ids": titles.ids,
        "title_term_offsets": titles.offsets,
    }
    return arrays, {"details": dict(texts.details), "title_words": titles.vocabulary}


# The arrays that hold the articles' texts and paragraphs.
TEXT_ARRAYS = ("texts", "text_offsets", "body_spans", "body_offsets")


def packed_texts(parts: Sequence[tuple[Mapping[str, StoredDocument], Sequence[str]]]) -> Texts:
    """The articles ``doc_ids`` of each of ``parts`` (a mapping of articles, and which of
    them to take, in order), packed into one ``Texts``. The texts and paragraphs of a part
    packed already are copied as bytes, a run of neighbouring articles at a time, never
    decoded (a merge at a million chunks copies 430 MB of text)."""
    details: dict[str, StoredDocument] = {}
    texts: list[np.ndarray] = []
    lengths: list[int] = []
    body: list[np.ndarray] = []
    counts: list[int] = []
    for documents, doc_ids in parts:
        if not details.keys().isdisjoint(doc_ids):  # its text would shift every later one's
            twice = sorted(details.keys() & set(doc_ids))
            raise ValueError(f"articles taken from two parts: {', '.join(twice)}")
        if isinstance(documents, Texts):
            a = documents.arrays
            at = np.array([documents._position[d] for d in doc_ids], dtype=np.int64)
            text_offsets, body_offsets = a["text_offsets"], a["body_offsets"]
            texts += _runs_of(a["texts"], text_offsets, at.tolist())
            body += _runs_of(a["body_spans"], body_offsets, at.tolist())
            lengths += (text_offsets[at + 1] - text_offsets[at]).tolist()
            counts += (body_offsets[at + 1] - body_offsets[at]).tolist()
            details.update((d, documents.details[d]) for d in doc_ids)
            continue
        for d in doc_ids:
            doc = documents[d]
            encoded = np.frombuffer(doc.text.encode("utf-8"), dtype=np.uint8)
            texts.append(encoded)
            lengths.append(len(encoded))
            body.append(np.array([(x.start, x.end) for x in doc.body], np.int64).reshape(-1, 2))
            counts.append(len(doc.body))
            details[d] = replace(doc, text="", body=())
    arrays = {
        "texts": np.concatenate(texts) if texts else np.zeros(0, np.uint8),
        "text_offsets": _offsets(lengths),
        "body_spans": np.concatenate(body).astype(np.int64, copy=False)
        if body
        else np.zeros((0, 2), np.int64),
        "body_offsets": _offsets(counts),
    }
    return Texts(details, {d: i for i, d in enumerate(details)}, arrays)


def _runs_of(values: np.ndarray, offsets: np.ndarray, at: Sequence[int]) -> list[np.ndarray]:
    """The slices of ``values`` that ``offsets`` gives the rows ``at``, neighbouring rows
    joined into one slice (views, not copies)."""
    out: list[np.ndarray] = []
    start = end = None
    for i in at:
        a, b = int(offsets[i]), int(offsets[i + 1])
        if start is not None and a == end:
            end = b
            continue
        if start is not None:
            out.append(values[start:end])
        start, end = a, b
    if start is not None:
        out.append(values[start:end])
    return out


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
        self.arrays = {name: arrays[name] for name in TEXT_ARRAYS}
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
