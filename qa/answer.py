"""Choose the sentences that answer a question, cite them, and decide whether to answer.

The answer is extractive: sentences copied from the articles, each cited by its offsets.
Candidate sentences come from the retrieved passages and from a sentence-level dense
search. Each is described by a few features: closeness in meaning to the question, the
share of the question's rarer words it (and its paragraph neighbours) holds, whether it
holds the kind of thing asked for (a number for "how many", a name for "who"), and how
well its passage ranked. A linear scorer ranks them; a logistic model over the winner's
evidence gives the confidence, below whose threshold the service declines. Both sets of
weights are fitted on the eval questions (`python -m eval.calibrate`) and stored in
calibration.json.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .corpus import Corpus, stems
from .evidence import cite, conflicts, corroborate
from .records import Answer, Hit
from .retrieve import chunk_index

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MAX_ANSWER_CHARS = 600
MAX_SENTENCES = 3
# Sentences taken from the sentence-level dense search, beside those in the passages.
SENTENCE_POOL = 20

RANK_FEATURES = ("dense", "lexical", "around", "gap", "kind", "passage", "lead")
CONFIDENCE_FEATURES = (
    "score",
    "dense",
    "lexical",
    "gap",
    "context",
    "unseen",
    "kind",
    "kind_missing",
    "margin",
)


@dataclass(frozen=True)
class Weights:
    """Linear weights for ranking sentences and for the confidence of the winner."""

    rank: dict[str, float] = field(
        default_factory=lambda: {
            "dense": 1.0,
            "lexical": 0.6,
            "around": 0.2,
            "gap": -0.3,
            "kind": 0.25,
            "passage": 0.1,
            "lead": 0.0,
        }
    )
    confidence: dict[str, float] = field(
        default_factory=lambda: {
            "score": 0.0,
            "dense": 6.0,
            "lexical": 3.0,
            "gap": -2.0,
            "context": 4.0,
            "unseen": -4.0,
            "kind": 1.0,
            "kind_missing": 0.0,
            "margin": 0.0,
            "bias": -8.0,
        }
    )
    threshold: float = 0.5
    # A neighbouring sentence joins the answer when its score is within this margin of the
    # best one's (scores are logits of the fitted ranker, so 0.25 is ~78% as likely).
    neighbour: float = 0.25

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Weights:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        return cls(
            rank={k: float(data["rank"].get(k, 0.0)) for k in RANK_FEATURES},
            confidence={
                k: float(data["confidence"].get(k, 0.0)) for k in (*CONFIDENCE_FEATURES, "bias")
            },
            threshold=float(data["threshold"]),
            neighbour=float(data.get("neighbour", cls.neighbour)),
        )


# What a question asks for, read off its wording.
_KINDS = [
    (
        "number",
        re.compile(
            r"\bhow (many|much|long|old|far|big|large)\b|\bwhat (number|percentage|share|amount|proportion)\b|\bhow often\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"^\s*(when|since when)\b|\bwhat (date|day|year|month|time)\b|\b(which|what) (year|month|day|date)\b|\bon what day\b",
            re.I,
        ),
    ),
    (
        "who",
        re.compile(
            r"^\s*(who|whom|whose)\b|\bwhich (person|official|envoy|leader|president|man|woman|people|reporter|agency|outlet|company|organi[sz]ation|gang|group|secretary|minister)\b|\b(name|named)\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"^\s*where\b|\bwhich (country|countries|city|cities|place|state|region|nation|river|sea)\b|\bin what (country|city|place)\b",
            re.I,
        ),
    ),
]
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|half"
_HAS = {
    "number": re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I),
    "date": re.compile(
        r"\b(1[5-9]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b(january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|\b\d+(st|nd|rd|th) century\b|"
        r"\b(yesterday|today|last (week|month|year|sunday|monday|tuesday|wednesday|thursday|friday|saturday))\b",
        re.I,
    ),
}
# A name: a run of two or more capitalised words, possibly joined by particles or holding
# a quoted nickname ("Tren de Aragua", "Héctor “Niño” Guerrero"). Single capitalised words
# are too often countries, nationalities or a sentence's first word to count.
_NAME = re.compile(
    r"\b[A-Z][\w’'.-]+(?:\s+(?:(?:de|del|da|la|van|von|al|bin|of|the)\s+)?[“\"‘]?[A-Z][\w’'-]+[”\"’]?)+"
)
_NOT_NAMES = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "jan",
    "feb",
    "aug",
    "sept",
    "oct",
    "nov",
    "dec",
    "i",
}
_PARTICLES = {
    "in",
    "at",
    "to",
    "from",
    "near",
    "across",
    "into",
    "the",
    "of",
    "de",
    "del",
    "da",
    "la",
    "van",
    "von",
    "al",
    "bin",
}
_PLACE = re.compile(r"\b(in|at|to|from|near|across|into)\s+(the\s+)?[A-Z][\w’'-]+")


def question_kind(question: str) -> str | None:
    """ "number", "date", "who", "place" or None, from the question's wording."""
    for kind, pattern in _KINDS:
        if pattern.search(question):
            return kind
    return None


def holds_kind(sentence: str, kind: str | None, question: str) -> float:
    """1.0 when the sentence holds the kind of thing asked for, 0.0 when not, 0.5 if unknown."""
    if kind is None:
        return 0.5
    if kind in _HAS:
        return 1.0 if _HAS[kind].search(sentence) else 0.0
    asked = set(re.findall(r"\w+", question.lower())) | _NOT_NAMES | _PARTICLES
    pattern = _NAME if kind == "who" else _PLACE
    for m in pattern.finditer(sentence.lstrip("\"“‘'(")):
        if set(re.findall(r"\w+", m.group().lower())) - asked:
            return 1.0
    return 0.0


def question_terms(corpus: Corpus, question: str) -> dict[str, float]:
    """The question's content words (stemmed), each with its IDF; unseen words get the
    highest IDF there is, since a word the articles never use is the strongest sign that
    they do not answer."""
    vocab = corpus.tokens.get_vocab_dict()
    unseen = math.log(1 + (max(len(corpus.chunks), 1) + 0.5) / 0.5)
    return {w: float(corpus.idf[vocab[w]]) if w in vocab else unseen for w in stems(question)}


def _share(terms: dict[str, float], present: frozenset[str] | set[str]) -> float:
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in present) / total if total else 0.0


@dataclass(frozen=True)
class Candidates:
    """The sentences considered for one question, with their features (one row each)."""

    ids: np.ndarray  # indices into corpus.sentences
    features: np.ndarray  # shape (len(ids), len(RANK_FEATURES))
    evidence: dict[str, float]  # question-level features for the confidence

    def scores(self, w: Weights) -> np.ndarray:
        return self.features @ np.array([w.rank[f] for f in RANK_FEATURES])


def candidates(corpus: Corpus, question: str, query: np.ndarray, hits: list[Hit]) -> Candidates:
    """Every sentence that might answer, described by RANK_FEATURES."""
    terms = question_terms(corpus, question)
    kind = question_kind(question)
    passage: dict[int, float] = {}
    for rank, hit in enumerate(hits):
        for s in corpus.chunk_sentences[chunk_index(corpus, hit)]:
            passage.setdefault(int(s), 1.0 / (1 + rank))
    if len(corpus.sentences):
        sims_all = corpus.sentence_vectors @ query.astype(np.float32)
        pool = np.argpartition(-sims_all, min(SENTENCE_POOL, len(sims_all) - 1))[:SENTENCE_POOL]
        for s in pool[np.argsort(-sims_all[pool])].tolist():
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
        # The rarest question word missing around the sentence, relative to the rarest
        # word asked: a missing "airline" or "Cuba" is the mark of a question the
        # sentence cannot answer, however many other words it shares.
        missing = [w for t, w in terms.items() if t not in near]
        rows.append(
            [
                float(sims_all[i]),
                _share(terms, words),
                _share(terms, near),
                max(missing, default=0.0) / rarest,
                holds_kind(corpus.text(span), kind, question),
                passage[i],
                lead,
            ]
        )
    vocab = corpus.tokens.get_vocab_dict()
    total = sum(terms.values()) or 1.0
    evidence = {
        "context": _share(terms, context),
        "unseen": sum(w for t, w in terms.items() if t not in vocab) / total,
    }
    return Candidates(
        ids, np.array(rows, dtype=np.float64).reshape(len(rows), len(RANK_FEATURES)), evidence
    )


def confidence_features(
    c: Candidates, scores: np.ndarray, best: int, answer_kind: float
) -> dict[str, float]:
    """The evidence for an answer built on the best candidate, by CONFIDENCE_FEATURES;
    ``answer_kind`` is whether the whole answer (with the sentences it took along) holds
    what was asked."""
    f = dict(zip(RANK_FEATURES, c.features[best].tolist(), strict=True))
    others = np.delete(scores, best)
    return {
        "score": float(scores[best]),
        "dense": f["dense"],
        "lexical": f["lexical"],
        "gap": f["gap"],
        "context": c.evidence["context"],
        "unseen": c.evidence["unseen"],
        "kind": answer_kind,
        # Asked "how many" and the answer holds no number: the clearest miss there is.
        "kind_missing": 1.0 if answer_kind == 0.0 else 0.0,
        "margin": float(scores[best] - others.max()) if len(others) else 1.0,
    }


def confidence(features: dict[str, float], w: Weights) -> float:
    z = w.confidence.get("bias", 0.0) + sum(w.confidence[k] * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))


# A sentence that leans on the one before: it opens with a pronoun or a linking word, or
# has a personal pronoun among its first few words ("At the ceremony she was…").
_LEANS = re.compile(
    r"^[\"“‘']?(He|She|They|It|That|This|These|Those|His|Her|Their|Its|But|However|Also|Still|Yet)\b"
    r"|^(\S+\s+){1,4}(he|she|they|his|her|their)\b"
)


def _answer_sentences(
    corpus: Corpus,
    best: int,
    score: dict[int, float],
    neighbour: float,
    kind: str | None,
    question: str,
) -> list[int]:
    """The best sentence, with the one before it when it leans on it ("He said…", "At the
    ceremony she…") or when only that one holds what was asked (the name for "who"), and a
    neighbour that scores almost as well, within the length limit."""
    chosen = [best]
    doc_id = corpus.sentences[best].doc_id

    def same_doc(i: int) -> bool:
        return 0 <= i < len(corpus.sentences) and corpus.sentences[i].doc_id == doc_id

    # Walk back while the first sentence leans on the one before it.
    while same_doc(chosen[0] - 1) and len(chosen) < MAX_SENTENCES:
        text = corpus.text(corpus.sentences[chosen[0]])
        previous = corpus.text(corpus.sentences[chosen[0] - 1])
        lacks = (
            kind is not None
            and holds_kind(
                " ".join(corpus.text(corpus.sentences[i]) for i in chosen), kind, question
            )
            == 0.0
        )
        if not (_LEANS.match(text) or (lacks and holds_kind(previous, kind, question) == 1.0)):
            break
        chosen.insert(0, chosen[0] - 1)
    for n in (chosen[0] - 1, chosen[-1] + 1):
        if same_doc(n) and n in score and score[n] >= score[best] - neighbour:
            chosen = sorted({*chosen, n})

    def length(ids: list[int]) -> int:
        return sum(corpus.sentences[i].end - corpus.sentences[i].start for i in ids)

    while len(chosen) > 1 and (length(chosen) > MAX_ANSWER_CHARS or len(chosen) > MAX_SENTENCES):
        chosen.remove(min((i for i in chosen if i != best), key=lambda i: score.get(i, -1e9)))
    return chosen


@dataclass(frozen=True)
class Decision:
    """The sentences an answer would quote, and the evidence for answering at all."""

    top: int  # index into corpus.sentences of the best candidate
    chosen: list[int]  # the sentences quoted, in text order
    score: dict[int, float]  # ranker score by sentence index
    features: dict[str, float]  # by CONFIDENCE_FEATURES


def decide(corpus: Corpus, question: str, c: Candidates, w: Weights) -> Decision:
    """Pick the answer's sentences and describe the evidence for them (shared by the
    service and by eval/calibrate.py, so the confidence is fitted on what is served)."""
    scores = c.scores(w)
    best = int(np.argmax(scores))
    score = dict(zip(c.ids.tolist(), scores.tolist(), strict=True))
    top = int(c.ids[best])
    kind = question_kind(question)
    chosen = _answer_sentences(corpus, top, score, w.neighbour, kind, question)
    text = " ".join(corpus.text(corpus.sentences[i]) for i in chosen)
    features = confidence_features(c, scores, best, holds_kind(text, kind, question))
    return Decision(top, chosen, score, features)


def answer(
    corpus: Corpus,
    question: str,
    query: np.ndarray,
    hits: list[Hit],
    weights: Weights | None = None,
) -> Answer:
    """The extractive answer to ``question`` from the retrieved ``hits``, or a declined one."""
    w = weights or Weights()
    c = candidates(corpus, question, query, hits)
    if not len(c.ids):
        reason = (
            "the index holds no articles"
            if not corpus.chunks
            else "no passage matched the question"
        )
        return Answer(question, None, False, 0.0, passages=hits, reason=reason)
    d = decide(corpus, question, c, w)
    conf = confidence(d.features, w)
    kind = question_kind(question)
    if kind in _HAS and d.features["kind_missing"]:
        # Asked for a count or a date, and the best the articles offer holds none.
        return Answer(
            question,
            None,
            False,
            round(min(conf, w.threshold / 2), 4),
            passages=hits,
            reason=f"the articles give no {kind} for this",
        )
    if conf < w.threshold:
        return Answer(
            question,
            None,
            False,
            round(conf, 4),
            passages=hits,
            reason="the articles do not appear to answer this question",
        )
    top, chosen, score = d.top, d.chosen, d.score
    citations = [cite(corpus, i, n + 1, score.get(i, 0.0)) for n, i in enumerate(chosen)]
    support = corroborate(corpus, top)
    corroboration = [
        cite(corpus, i, len(citations) + n + 1, score.get(i, 0.0)) for n, i in enumerate(support)
    ]
    return Answer(
        question=question,
        answer=" ".join(q.quote for q in citations),
        answerable=True,
        confidence=round(conf, 4),
        citations=citations,
        passages=hits,
        corroboration=corroboration,
        conflicts=conflicts(corpus, question_kind(question), [top, *support], score),
    )
