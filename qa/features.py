"""Describe the sentences that might answer a question, one row of named features each.

Candidates come from the retrieved passages and from a sentence-level dense search among
the sentences of the chunks nearest the question (or, when the question names an
article's outlet or author, from that article). RANK_FEATURES names the columns; the
ranker and the confidence model (select.py) and the fitting (eval/calibrate.py) all read
them by these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.embed import word_vectors

from .corpus import Corpus
from .kinds import MEASURED, holds_kind
from .question import Question
from .records import Hit
from .retrieve import chunk_index
from .terms import STOPWORDS

# Sentences taken from the sentence-level dense search, beside those in the passages...
SENTENCE_POOL = 20
# ... which looks among the sentences of this many chunks nearest the question.
POOL_CHUNKS = 30

# What each column of Candidates.features means:
RANK_FEATURES = (
    "dense",  # cosine between the sentence and the question
    "lexical",  # IDF-weighted share of the question's terms in the sentence
    "soft",  # the same, a missing term counting by its closeness to the sentence's words
    "focus",  # the same over the words naming what is asked for ("net profit"); 0.5 if none
    "around",  # the same over the sentence and its neighbours
    "gap",  # the rarest question term missing around it, relative to the rarest asked
    "title",  # share of the question's terms in the article's headline
    "story",  # share of the question's terms anywhere among the article's candidates
    "typed",  # P(answer type) summed over the types of the entities it names anew
    "untyped",  # P(the answer is no entity) times "it names nothing new"
    "typed_story",  # typed times story: the detail asked for, in the story asked about
    "typed_lexical",  # typed times soft: the detail asked for, beside the words asked about
    "kind",  # the question's wording asks for a name or place and it holds one (rule)
    "measured",  # ... asks for a count, date or measure and it holds one (rule)
    "passage",  # 1 / (1 + rank) of the best retrieved passage holding it; 0 if none
    "lead",  # among an article's first three sentences
)

_LETTERS = re.compile(r"[a-z]+")
# Word-vector cosines below FLOOR say nothing (unrelated words reach 0.25); from there a
# missing term counts in proportion, fully at FLOOR + SPAN ("bought"/"purchased" 0.83).
FLOOR, SPAN = 0.3, 0.4


def soft_share(q: Question, present: frozenset[str], sentence: str) -> float:
    """The IDF-weighted share of the question's terms in a sentence whose terms are
    ``present``, a missing term counting by its closest word there ("injured" for
    "hurt")."""
    return float(soft_shares(q, [present], [sentence])[0][0])


def soft_shares(
    q: Question, present: list[frozenset[str]], sentences: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """``soft_share`` of each sentence, and the same share of the question's ``focus``
    terms unweighted (0.5 when it has none): the closeness of every question term to every
    word of them found in one matrix product."""
    out = np.zeros(len(sentences))
    focus = np.full(len(sentences), 0.5)
    total = sum(q.terms.values())
    if not total:
        return out, focus
    vectors = word_vectors()
    asked = {t: i for t in q.terms if (i := vectors.id_of(q.written[t])) >= 0}
    known = vectors.ids
    words = [
        sorted({known[w] for w in set(_LETTERS.findall(s.lower())) - STOPWORDS if w in known})
        for s in sentences
    ]
    union = sorted(set().union(*words))
    # match[t, k]: 1 where sentence k uses term t or an alias of it, else the closeness of
    # its closest word there (0 for a term with no word vector, or a sentence with none).
    match = np.zeros((len(q.terms), len(sentences)))
    if asked and union:
        m = vectors.matrix
        sims = m[list(asked.values())].astype(np.float32) @ m[union].astype(np.float32).T
        close = np.clip((sims - FLOOR) / SPAN, 0.0, 1.0)
        # Each sentence's closest word to each term: a max over its run of columns (a
        # sentence with no known word has none, and keeps 0). The rows are the terms with
        # a word vector, in the question's order.
        column = {i: n for n, i in enumerate(union)}
        some = [k for k, ids in enumerate(words) if ids]
        flat = close[:, [column[i] for k in some for i in words[k]]]
        starts = np.cumsum([0] + [len(words[k]) for k in some[:-1]])
        vectored = [n for n, t in enumerate(q.terms) if t in asked]
        match[np.ix_(vectored, some)] = np.maximum.reduceat(flat, starts, axis=1)
    for n, t in enumerate(q.terms):
        aliases = q.aliases[t]
        for k, have in enumerate(present):
            if not aliases.isdisjoint(have):
                match[n, k] = 1.0
    weights = np.fromiter(q.terms.values(), dtype=np.float64, count=len(q.terms))
    out = weights @ match / total
    if q.focus:
        in_focus = np.fromiter((t in q.focus for t in q.terms), dtype=bool, count=len(q.terms))
        focus = match[in_focus].sum(axis=0) / len(q.focus)
    return out, focus


@dataclass(frozen=True)
class Candidates:
    """The sentences considered for one question, with their features (one row each)."""

    ids: np.ndarray  # indices into corpus.sentences
    features: np.ndarray  # shape (len(ids), len(RANK_FEATURES))
    evidence: dict[str, float]  # question-level features for the confidence

    def row(self, k: int) -> dict[str, float]:
        return dict(zip(RANK_FEATURES, self.features[k].tolist(), strict=True))

    def scores(self, rank: dict[str, float]) -> np.ndarray:
        """Each candidate's ranker score under the weights ``rank`` (by RANK_FEATURES)."""
        return self.features @ np.array([rank.get(f, 0.0) for f in RANK_FEATURES])


def new_types(corpus: Corpus, q: Question, i: int, text: str | None = None) -> set[str]:
    """The answer types of the entities sentence ``i`` (whose text is ``text``, when the
    caller has it) names that the question does not (an entity sharing a word with the
    question is the one asked about: "Nicolas Maduro" when asked what Maduro did)."""
    return {t for t, words in corpus.entities(i, text) if words.isdisjoint(q.words)}


def typed(q: Question, types: set[str]) -> tuple[float, float]:
    """How well a text naming entities of ``types`` fits the answer type asked for: the
    probability mass of those types, and that of "no entity" when it names none."""
    named = sum(q.types.get(t, 0.0) for t in types)
    return named, (q.types.get("other", 0.0) if not types else 0.0)


def candidates(corpus: Corpus, q: Question, query: np.ndarray, hits: list[Hit]) -> Candidates:
    """Every sentence that might answer, described by RANK_FEATURES."""
    passage: dict[int, float] = {}
    for rank, hit in enumerate(hits):
        for s in corpus.chunk_sentences[chunk_index(corpus, hit)]:
            passage.setdefault(int(s), 1.0 / (1 + rank))
    named = set(q.sources)
    if named:
        # "What did the Northern Wire Service report…": that article's sentences only.
        passage = {i: p for i, p in passage.items() if corpus.sentences[i].doc_id in named}
        for doc_id in named:
            for s in corpus.doc_sentences.get(doc_id, np.zeros(0, np.int64)).tolist():
                passage.setdefault(int(s), 0.0)
    pooled = np.unique(
        np.concatenate(
            [corpus.chunk_sentences[c] for c in corpus.nearest_chunks(query, POOL_CHUNKS)]
            or [np.zeros(0, np.int64)]
        )
    )
    sims = corpus.similarities(pooled, query)
    for s in pooled[np.argsort(-sims, kind="stable")][:SENTENCE_POOL].tolist():
        if not named or corpus.sentences[s].doc_id in named:
            passage.setdefault(int(s), 0.0)
    ids = np.fromiter(passage, dtype=np.int64, count=len(passage))
    dense = corpus.similarities(ids, query)
    # A news question restates its story; the sentence that answers it gives the one
    # detail asked for and may share few of its words, so the story's words count too.
    listed = ids.tolist()
    spans = [corpus.sentences[i] for i in listed]  # each read once
    texts = [corpus.text(span) for span in spans]
    terms_of = {i: corpus.sentence_terms[i] for i in listed}
    story: dict[str, set[str]] = {}
    for i, span in zip(listed, spans, strict=True):
        story.setdefault(span.doc_id, set()).update(terms_of[i])
    titles = {d: corpus.title_terms.get(d, frozenset()) for d in story}  # each made once
    title_share = {d: q.weight(t) for d, t in titles.items()}
    story_share = {d: q.weight(terms | titles[d]) for d, terms in story.items()}
    rarest = max(q.terms.values(), default=1.0) or 1.0
    # Each article's first and last sentence (its ids run without gaps, as in_article reads).
    bounds = {}
    for d in story:
        ids_of = corpus.doc_sentences.get(d)
        bounds[d] = (
            (int(ids_of[0]), int(ids_of[-1])) if ids_of is not None and len(ids_of) else (1, 0)
        )
    rows = []
    context: set[str] = set()
    shares, focus = soft_shares(q, [terms_of[i] for i in listed], texts)
    for n, (i, span) in enumerate(zip(listed, spans, strict=True)):
        words = terms_of[i]
        context |= words
        near = set(words)
        first, last = bounds[span.doc_id]
        for j in (i - 1, i + 1):
            if first <= j <= last:
                if j not in terms_of:
                    terms_of[j] = corpus.sentence_terms[j]
                near |= terms_of[j]
        holds = holds_kind(texts[n], q.kind, q.text)
        # The rarest question word missing around the sentence, relative to the rarest
        # word asked: a missing "airline" or "Cuba" is the mark of a question the
        # sentence cannot answer, however many other words it shares.
        missing = [w for t, w in q.terms.items() if t not in near]
        named_type, untyped = typed(q, new_types(corpus, q, i, texts[n]))
        share = float(shares[n])
        row = {
            "dense": float(dense[n]),
            "lexical": q.weight(words),
            "soft": share,
            "focus": float(focus[n]),
            "around": q.weight(near),
            "gap": max(missing, default=0.0) / rarest,
            "title": title_share[span.doc_id],
            "story": story_share[span.doc_id],
            "typed": named_type,
            "untyped": untyped,
            "typed_story": named_type * story_share[span.doc_id],
            "typed_lexical": named_type * share,
            "kind": holds if q.kind not in MEASURED else 0.5,
            "measured": holds if q.kind in MEASURED else 0.5,
            "passage": passage[i],
            "lead": 1.0 if span.ordinal < 3 else 0.0,
        }
        rows.append([row[f] for f in RANK_FEATURES])
    total = sum(q.terms.values()) or 1.0
    evidence = {
        "context": q.weight(context),
        "unseen": sum(w for t, w in q.terms.items() if not corpus.knows(t)) / total,
        "other": q.types.get("other", 0.0),
    }
    return Candidates(
        ids, np.array(rows, dtype=np.float64).reshape(len(rows), len(RANK_FEATURES)), evidence
    )
