"""Choose the sentences that answer a question, cite them, and decide whether to answer.

The answer is extractive: sentences copied from the articles, each cited by its offsets.
Each candidate sentence from the retrieved passages is scored on how close it is in
meaning (dense), how many of the question's rarer words it shares (lexical), whether it
holds the kind of thing asked for (a number for "how many", a date for "when"), and how
well its passage ranked. A calibrated logistic model turns the winner's evidence into a
confidence; below the threshold the service says the articles don't answer.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from .corpus import Corpus, stems
from .evidence import corroborate, conflicts
from .records import Answer, Citation, Hit
from .retrieve import chunk_index

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MAX_ANSWER_CHARS = 600
MAX_SENTENCES = 3


@dataclass(frozen=True)
class Weights:
    """How candidate sentences are ranked, and how the winner's evidence maps to confidence."""

    dense: float = 1.0
    lexical: float = 0.6
    kind: float = 0.25
    passage: float = 0.1
    # Confidence: logistic regression over (dense, lexical, context, kind); fitted by
    # `qa eval --calibrate` on the eval questions and stored in calibration.json.
    c_dense: float = 6.0
    c_lexical: float = 3.0
    c_context: float = 4.0
    c_kind: float = 1.0
    c_bias: float = -8.0
    threshold: float = 0.5
    # A neighbouring sentence joins the answer when it scores this close to the best one.
    neighbour: float = 0.9

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Weights:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text())
        names = {f.name for f in fields(cls)}
        return cls(**{k: float(v) for k, v in data.items() if k in names})


# What a question asks for, read off its wording.
_KINDS = [
    ("number", re.compile(r"\bhow (many|much|long|old|far|big)\b|\bwhat (number|percentage|share|amount)\b|\bhow often\b", re.I)),
    ("date", re.compile(r"^\s*when\b|\bwhat (date|day|year|month|time)\b|\b(which|what) (year|month|day)\b|\bsince when\b", re.I)),
    ("who", re.compile(r"^\s*(who|whom|whose)\b|\bwhich (person|official|envoy|leader|president|man|woman|people|reporter|agency|outlet|company|organi[sz]ation|gang|group)\b|\b(name|named)\b", re.I)),
    ("place", re.compile(r"^\s*where\b|\bwhich (country|countries|city|cities|place|state|region|nation)\b|\bin what (country|city)\b", re.I)),
]
_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?|half"
_HAS = {
    "number": re.compile(rf"\d|\b({_NUMBER_WORDS})\b", re.I),
    "date": re.compile(
        r"\b(1[89]\d\d|20\d\d)\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|"
        r"\b(january|february|march|april|june|july|august|september|october|november|december)\b|"
        r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
        r"\b(yesterday|today|last (week|month|year|sunday|monday|tuesday|wednesday|thursday|friday|saturday))\b",
        re.I,
    ),
}
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ÿ]+(?:\s+[A-Z][a-zà-ÿ]+)*")


def question_kind(question: str) -> str | None:
    """"number", "date", "who", "place" or None, from the question's wording."""
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
    asked = question.lower()
    names = [m.group() for m in _PROPER.finditer(sentence)]
    return 1.0 if any(n.lower() not in asked for n in names) else 0.0


@dataclass(frozen=True)
class Candidate:
    sentence: int  # index into corpus.sentences
    dense: float
    lexical: float
    kind: float
    passage: float
    score: float


def _share(terms: dict[str, float], present: set[str]) -> float:
    total = sum(terms.values())
    return sum(w for t, w in terms.items() if t in present) / total if total else 0.0


def question_terms(corpus: Corpus, question: str) -> dict[str, float]:
    """The question's content words (stemmed), each with its IDF; unseen words get the
    highest IDF there is, since a word the articles never use is the strongest sign that
    they do not answer."""
    vocab = corpus.tokens.get_vocab_dict()
    n = max(len(corpus.chunks), 1)
    unseen = math.log(1 + (n + 0.5) / 0.5)
    out: dict[str, float] = {}
    for word in stems(question):
        out[word] = float(corpus.idf[vocab[word]]) if word in vocab else unseen
    return out


def candidates(corpus: Corpus, question: str, query: np.ndarray, hits: list[Hit], w: Weights) -> tuple[list[Candidate], dict[str, float], set[str]]:
    """Every sentence in the retrieved passages, scored and sorted best first."""
    terms = question_terms(corpus, question)
    kind = question_kind(question)
    seen: dict[int, float] = {}
    for rank, hit in enumerate(hits):
        for s in corpus.chunk_sentences[chunk_index(corpus, hit)]:
            seen.setdefault(int(s), 1.0 / (1 + rank))
    if not seen:
        return [], terms, set()
    ids = np.fromiter(seen, dtype=np.int64)
    dense = corpus.sentence_vectors[ids] @ query.astype(np.float32)
    context: set[str] = set()
    out = []
    for i, d in zip(ids.tolist(), dense.tolist(), strict=True):
        words = corpus.sentence_terms[i]
        context |= words
        lexical = _share(terms, words)
        k = holds_kind(corpus.text(corpus.sentences[i]), kind, question)
        score = w.dense * d + w.lexical * lexical + w.kind * k + w.passage * seen[i]
        out.append(Candidate(i, d, lexical, k, seen[i], score))
    out.sort(key=lambda c: (-c.score, c.sentence))
    return out, terms, context


def confidence(best: Candidate, context: float, w: Weights) -> float:
    z = w.c_dense * best.dense + w.c_lexical * best.lexical + w.c_context * context + w.c_kind * best.kind + w.c_bias
    return 1.0 / (1.0 + math.exp(-z))


_CONTINUES = re.compile(r"^[\"“‘']?(He|She|They|It|That|This|These|Those|His|Her|Their|But|However|Also|The move|The announcement)\b")


def _answer_sentences(corpus: Corpus, ranked: list[Candidate], neighbour: float) -> list[int]:
    """The best sentence, with the sentence before it when it leans on it ("He said…"),
    and a neighbour that scores almost as well, within the length limit."""
    best = ranked[0]
    chosen = [best.sentence]
    score = {c.sentence: c.score for c in ranked}
    s = corpus.sentences[best.sentence]
    prev = best.sentence - 1
    if prev >= 0 and corpus.sentences[prev].doc_id == s.doc_id and _CONTINUES.match(corpus.text(s)):
        chosen.insert(0, prev)
    for n in (chosen[0] - 1, chosen[-1] + 1):
        if 0 <= n < len(corpus.sentences) and corpus.sentences[n].doc_id == s.doc_id and score.get(n, -1e9) >= neighbour * best.score:
            chosen = sorted({*chosen, n})
    while len(chosen) > 1 and sum(corpus.sentences[i].end - corpus.sentences[i].start for i in chosen) > MAX_ANSWER_CHARS:
        chosen.remove(min((i for i in chosen if i != best.sentence), key=lambda i: score.get(i, -1e9)))
    return chosen[:MAX_SENTENCES]


def cite(corpus: Corpus, i: int, n: int, score: float) -> Citation:
    s = corpus.sentences[i]
    doc = corpus.documents[s.doc_id]
    return Citation(n=n, doc_id=s.doc_id, title=doc.title, published=doc.published, start=s.start, end=s.end, quote=corpus.text(s), score=round(score, 4))


def answer(corpus: Corpus, question: str, query: np.ndarray, hits: list[Hit], weights: Weights | None = None) -> Answer:
    """The extractive answer to ``question`` from the retrieved ``hits``, or a declined one."""
    w = weights or Weights()
    ranked, terms, context_stems = candidates(corpus, question, query, hits, w)
    if not ranked:
        return Answer(question, None, False, 0.0, passages=hits, reason="the index holds no articles" if not corpus.chunks else "no passage matched the question")
    best = ranked[0]
    context = _share(terms, context_stems)
    conf = confidence(best, context, w)
    if conf < w.threshold:
        return Answer(question, None, False, round(conf, 4), passages=hits, reason="the articles do not appear to answer this question")
    chosen = _answer_sentences(corpus, ranked, w.neighbour)
    score = {c.sentence: c.score for c in ranked}
    citations = [cite(corpus, i, n + 1, score[i]) for n, i in enumerate(chosen)]
    support = corroborate(corpus, best.sentence, ranked)
    corroboration = [cite(corpus, i, len(citations) + n + 1, score.get(i, 0.0)) for n, i in enumerate(support)]
    return Answer(
        question=question,
        answer=" ".join(c.quote for c in citations),
        answerable=True,
        confidence=round(conf, 4),
        citations=citations,
        passages=hits,
        corroboration=corroboration,
        conflicts=conflicts(corpus, question_kind(question), [best.sentence, *support], ranked, cite),
    )
