"""Corroboration and conflicts: what the other outlets say about the chosen sentence."""

from __future__ import annotations

import re
from datetime import date

import numpy as np

from .corpus import Corpus
from .kinds import is_count
from .records import Citation, Conflict
from .retrieve import DEPTH

# Cosine between two sentences above which they report the same fact (all-MiniLM-L6-v2:
# paraphrases of one claim score 0.7-0.9, sentences merely on the same topic 0.4-0.6).
SAME_FACT = 0.7
MAX_CORROBORATION = 5
# Sentences stating the same fact are looked for in the chunks nearest the question, as
# deep as retrieval searched them (so no search is made again).
SAME_FACT_CHUNKS = DEPTH

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "hundred": 100,
    "thousand": 1000,
}
_NUMBER = re.compile(
    r"\b(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\b|\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I
)


def outlet_of(corpus: Corpus, doc_id: str) -> str:
    """The original a reprint copies, so that a wire story run twice counts once."""
    return corpus.documents[doc_id].duplicate_of or doc_id


def corroborate(corpus: Corpus, best: int, query: np.ndarray) -> list[int]:
    """Sentences from other, independent articles that state the same fact as ``best``:
    looked for among the sentences of the chunks nearest the question (``query``, whose
    search retrieval has made already), not every sentence."""
    vector = corpus.sentence_vectors[best].astype(np.float32)
    near = [corpus.chunk_sentences[c] for c in corpus.nearest_chunks(query, SAME_FACT_CHUNKS)]
    if not near:
        return []
    ids = np.unique(np.concatenate(near))
    sims = corpus.similarities(ids, vector)
    own = outlet_of(corpus, corpus.sentences[best].doc_id)
    chosen: dict[str, int] = {}
    keep = sims >= SAME_FACT  # usually a handful
    ids, sims = ids[keep], sims[keep]
    for i in ids[np.argsort(-sims, kind="stable")].tolist():
        if len(chosen) >= MAX_CORROBORATION:
            break
        group = outlet_of(corpus, corpus.sentences[i].doc_id)
        if group != own and group not in chosen:
            chosen[group] = i
    return list(chosen.values())


def cite(corpus: Corpus, i: int, n: int, score: float) -> Citation:
    """Citation number ``n`` for sentence ``i``: its quote, offsets and article."""
    s = corpus.sentences[i]
    return cite_span(corpus, s.doc_id, s.start, s.end, n, score)


def cite_span(corpus: Corpus, doc_id: str, start: int, end: int, n: int, score: float) -> Citation:
    """Citation number ``n`` for ``text[start:end]`` of article ``doc_id``."""
    doc = corpus.documents[doc_id]
    return Citation(
        n=n,
        doc_id=doc_id,
        title=doc.title,
        published=doc.published,
        start=start,
        end=end,
        quote=doc.text[start:end],
        score=round(score, 4),
    )


def number_in(sentence: str) -> str | None:
    """The first count or amount a sentence states (years are dates, not counts)."""
    for m in _NUMBER.finditer(sentence):
        if m.group(1):
            if not is_count(sentence, m.start(), m.group(1)):
                continue
            return m.group(1).replace(",", "")
        return str(_NUMBER_WORDS[m.group(2).lower()])
    return None


def conflicts(
    corpus: Corpus,
    kind: str | None,
    evidence: list[int],
    score: dict[int, float],
) -> list[Conflict]:
    """When the sources give different counts for what was asked, each value with its
    citation, newest article first; otherwise nothing."""
    if kind != "number" or len(evidence) < 2:
        return []
    values = {i: number_in(corpus.text(corpus.sentences[i])) for i in evidence}
    distinct = {v for v in values.values() if v is not None}
    if len(distinct) < 2:
        return []
    out = [
        Conflict(v, cite(corpus, i, n + 1, score.get(i, 0.0)))
        for n, (i, v) in enumerate(values.items())
        if v is not None
    ]
    return sorted(out, key=lambda c: c.citation.published or date.min, reverse=True)
