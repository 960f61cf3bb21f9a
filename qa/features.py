"""Describe the sentences that might answer a question, one row of features each.

Candidates come from the retrieved passages and from a sentence-level dense search (or,
when the question names an article's outlet or author, from that article). Each is
described by RANK_FEATURES: closeness in meaning to the question, the share of the
question's rarer words it (and its paragraph neighbours) holds, the rarest word missing
around it, whether it holds the kind of thing asked for, and how well its passage ranked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .about import sources_named
from .corpus import Corpus, stems
from .kinds import MEASURED, holds_kind, question_kind
from .records import Hit
from .retrieve import chunk_index

# Sentences taken from the sentence-level dense search, beside those in the passages.
SENTENCE_POOL = 20
RANK_FEATURES = ("dense", "lexical", "around", "gap", "kind", "measured", "passage", "lead")


# Words that only say what form the answer takes ("how long", "the name of", "what kind
# of"): an answer need not repeat them.
_ASKING = re.compile(
    r"\bhow (long|old|far|big|large|much|many|often|tall|deep|wide|high)\b"
    r"|\b(kind|type|sort) of\b",
    re.I,
)


def question_terms(corpus: Corpus, question: str) -> dict[str, float]:
    """The question's content words (stemmed), each with its IDF; unseen words get the
    highest IDF there is, since a word the articles never use is the strongest sign that
    they do not answer."""
    vocab = corpus.tokens.get_vocab_dict()
    unseen = math.log(1 + (max(len(corpus.chunks), 1) + 0.5) / 0.5)
    words = stems(_ASKING.sub(" ", corpus.spell_out(question)))
    return {w: float(corpus.idf[vocab[w]]) if w in vocab else unseen for w in words}


def _share(terms: dict[str, float], present: frozenset[str] | set[str], aliases: Aliases) -> float:
    """The IDF-weighted share of ``terms`` in ``present``, a term counting as present when
    one of its ``aliases`` is."""
    total = sum(terms.values())
    if not total:
        return 0.0
    return sum(w for t, w in terms.items() if not aliases[t].isdisjoint(present)) / total


Aliases = dict[str, frozenset[str]]


def aliases(corpus: Corpus, terms: dict[str, float]) -> Aliases:
    """Each term with the index terms sharing its first five letters ("evacue" with
    "evacu", "construct" with "construction"): derived forms a stemmer keeps apart."""
    return {
        t: frozenset([t, *(corpus.terms_with_prefix(t[:5]) if len(t) >= 5 else ())]) for t in terms
    }


@dataclass(frozen=True)
class Candidates:
    """The sentences considered for one question, with their features (one row each)."""

    ids: np.ndarray  # indices into corpus.sentences
    features: np.ndarray  # shape (len(ids), len(RANK_FEATURES))
    evidence: dict[str, float]  # question-level features for the confidence

    def scores(self, rank: dict[str, float]) -> np.ndarray:
        """Each candidate's ranker score under the weights ``rank`` (by RANK_FEATURES)."""
        return self.features @ np.array([rank[f] for f in RANK_FEATURES])


def candidates(corpus: Corpus, question: str, query: np.ndarray, hits: list[Hit]) -> Candidates:
    """Every sentence that might answer, described by RANK_FEATURES."""
    terms = question_terms(corpus, question)
    alias = aliases(corpus, terms)
    kind = question_kind(question)
    passage: dict[int, float] = {}
    for rank, hit in enumerate(hits):
        for s in corpus.chunk_sentences[chunk_index(corpus, hit)]:
            passage.setdefault(int(s), 1.0 / (1 + rank))
    if named := sources_named(corpus, question):
        # "What did the Northern Wire Service report…": that article's sentences only.
        passage = {i: p for i, p in passage.items() if corpus.sentences[i].doc_id in named}
        for doc_id in named:
            for s in corpus.doc_sentences.get(doc_id, np.zeros(0, np.int64)).tolist():
                passage.setdefault(int(s), 0.0)
    if len(corpus.sentences):
        sims_all = corpus.sentence_vectors @ query.astype(np.float32)
        pool = np.argpartition(-sims_all, min(SENTENCE_POOL, len(sims_all) - 1))[:SENTENCE_POOL]
        for s in pool[np.argsort(-sims_all[pool])].tolist():
            if not named or corpus.sentences[s].doc_id in named:
                passage.setdefault(int(s), 0.0)
    else:
        sims_all = np.zeros(0, dtype=np.float32)
    ids = np.fromiter(passage, dtype=np.int64, count=len(passage))
    rarest = max(terms.values(), default=1.0) or 1.0
    rows = []
    context: set[str] = set()
    for i in ids.tolist():
        span = corpus.sentences[i]
        words = corpus.sentence_terms[i]
        context |= words
        near = set(words)
        for j in (i - 1, i + 1):
            if 0 <= j < len(corpus.sentences) and corpus.sentences[j].doc_id == span.doc_id:
                near |= corpus.sentence_terms[j]
        lead = 1.0 if span.ordinal < 3 else 0.0
        holds = holds_kind(corpus.text(span), kind, question)
        # The rarest question word missing around the sentence, relative to the rarest
        # word asked: a missing "airline" or "Cuba" is the mark of a question the
        # sentence cannot answer, however many other words it shares.
        missing = [w for t, w in terms.items() if t not in near]
        rows.append(
            [
                float(sims_all[i]),
                _share(terms, words, alias),
                _share(terms, near, alias),
                max(missing, default=0.0) / rarest,
                holds if kind not in MEASURED else 0.5,
                holds if kind in MEASURED else 0.5,
                passage[i],
                lead,
            ]
        )
    vocab = corpus.tokens.get_vocab_dict()
    total = sum(terms.values()) or 1.0
    evidence = {
        "context": _share(terms, context, alias),
        "unseen": sum(w for t, w in terms.items() if t not in vocab) / total,
    }
    return Candidates(
        ids, np.array(rows, dtype=np.float64).reshape(len(rows), len(RANK_FEATURES)), evidence
    )
