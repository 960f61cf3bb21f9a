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

from .about import CONFIDENCE as ABOUT_CONFIDENCE
from .about import answer_about, asks_about_article, header_passage, sources_named
from .corpus import Corpus, fold, number, stems
from .evidence import cite, conflicts, corroborate
from .kinds import MEASURED, holds_kind, question_kind
from .records import Answer, Citation, Hit
from .retrieve import chunk_index

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
MAX_ANSWER_CHARS = 600
MAX_SENTENCES = 3
# Sentences taken from the sentence-level dense search, beside those in the passages.
SENTENCE_POOL = 20

RANK_FEATURES = ("dense", "lexical", "around", "gap", "kind", "measured", "passage", "lead")
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
            "measured": 0.25,
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


# A capitalised word inside a question: a name, place or title the answer must be about.
# Acronyms are left out ("NGOs", "US"): articles as often spell them out.
_QUESTION_NAME = re.compile(r"(?<=\S\s)[A-Z][\w’'.-]*\w")
_ACRONYM = re.compile(r"[A-Z]+s?")


def unseen_names(corpus: Corpus, question: str) -> list[str]:
    """Names and numbers in the question that no article uses, in its text or its title,
    author or outlet ("Australia" asked of articles about rivers): the articles cannot be
    the answer's source, however close the wording. A word sharing all but its last three
    letters (and at least four) counts as used, so that "Swedish" is found in "Sweden";
    accents are ignored."""
    out = []
    for m in _QUESTION_NAME.finditer(question):
        for word in re.findall(r"\w+", m.group().split("’")[0].split("'")[0]):
            if word[0].isupper() and not _ACRONYM.fullmatch(word):
                w = fold(word)
                if not corpus.uses_prefix(w[: max(4, len(w) - 3)]):
                    out.append(word)
    # A year or version ("2022", "4.0") no article writes; short numbers may be spelt out.
    for written in re.findall(r"\d+(?:[.,]\d+)*(?!\w)", question):
        if (len(written) >= 3 or "." in written) and number(written) not in corpus.numbers:
            out.append(written)
    return out


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

    def scores(self, w: Weights) -> np.ndarray:
        return self.features @ np.array([w.rank[f] for f in RANK_FEATURES])


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
        if not _LEANS.match(corpus.text(corpus.sentences[chosen[0]])):
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


# A sentence saying that what was asked is not known or not given out.
_NOT_KNOWN = re.compile(
    r"\b(did|does|do|would|could|has|have|had|was|were|is|are)(n[’']t| not)( yet)?"
    r" (name|identify|disclose|reveal|say|specify|release|confirm|comment|give details)\b"
    r"|\b(declined|refused) to (name|identify|disclose|say|comment|give|specify|confirm)\b"
    r"|\b(not|never) (been )?(named|identified|disclosed|released|made public)\b"
    r"|\b(unclear|not clear|unknown|not known)\b",
    re.I,
)


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


NOT_KNOWN = "the articles say this is not known"
# Asked in so many words for a name ("What is the name of…", "Who was the victim named…").
_ASKS_NAME = re.compile(r"\bnames?\b|\bnamed\b|\bidentity\b|\bidentif", re.I)


def ruled_out(corpus: Corpus, question: str, d: Decision) -> str | None:
    """Why the articles plainly cannot answer, whatever the confidence, or None: the
    question names something no article mentions; it asks for a count or a date and the
    best answer holds none; or the best answer says what was asked is not known
    ("Grenell did not name the six men")."""
    if names := unseen_names(corpus, question):
        return f"the articles never mention {', '.join(names)}"
    kind = question_kind(question)
    if d.features["kind_missing"]:
        if _NOT_KNOWN.search(" ".join(corpus.text(corpus.sentences[i]) for i in d.chosen)):
            return NOT_KNOWN
        if kind in MEASURED:
            return f"the articles give no {kind} for this"
        if kind == "who" and _ASKS_NAME.search(question):
            return "the articles give no name for this"
    return None


def with_answer_passages(corpus: Corpus, hits: list[Hit], chosen: list[int]) -> list[Hit]:
    """The passages to show with an answer: those holding its sentences first (one the
    sentence search found may lie outside the retrieved ones), then the rest as ranked."""
    ranked = [chunk_index(corpus, h) for h in hits]
    front: list[int] = []
    for i in chosen:
        holding = [c for c in ranked if i in corpus.chunk_sentences[c]]
        c = holding[0] if holding else int(corpus.sentence_chunk[i])
        if c not in front:
            front.append(c)
    order = front + [c for c in ranked if c not in front]
    by_chunk = dict(zip(ranked, hits, strict=True))
    out = []
    for c in order[: len(hits)]:
        span = corpus.chunks[c]
        out.append(
            by_chunk.get(c)
            or Hit(span.doc_id, span.ordinal, span.start, span.end, corpus.text(span), 0.0)
        )
    return out


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
    if (field := asks_about_article(question)) and (
        header := answer_about(corpus, question, field, hits)
    ):
        passages = [header_passage(header), *hits[: max(len(hits) - 1, 0)]]
        return Answer(
            question, header.quote, True, ABOUT_CONFIDENCE, citations=[header], passages=passages
        )
    d = decide(corpus, question, c, w)
    conf = confidence(d.features, w)

    def declined(reason: str, confidence: float, citations: tuple[Citation, ...] = ()) -> Answer:
        return Answer(
            question, None, False, round(confidence, 4), list(citations), hits, reason=reason
        )

    if rule := ruled_out(corpus, question, d):
        # Rules that need no calibration: quote the sentence saying it is not known.
        quoted = (
            tuple(cite(corpus, i, n + 1, d.score.get(i, 0.0)) for n, i in enumerate(d.chosen))
            if rule == NOT_KNOWN
            else ()
        )
        return declined(rule, min(conf, w.threshold / 2), quoted)
    if conf < w.threshold:
        return declined("the articles do not appear to answer this question", conf)
    top, chosen, score = d.top, d.chosen, d.score
    hits = with_answer_passages(corpus, hits, chosen)
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
