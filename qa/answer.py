"""The answer to a question: cited sentences with their corroboration and conflicts, or
an honest decline with its reason.

The answer is extractive: sentences copied from the articles, each cited by its offsets
(features.py describes the candidates, select.py picks and weighs them, declines.py holds
the rules that decline without weighing).
"""

from __future__ import annotations

import numpy as np

from .about import CONFIDENCE as ABOUT_CONFIDENCE
from .about import answer_about, header_passage
from .corpus import Corpus
from .declines import NOT_KNOWN, ruled_out, says_not_known
from .evidence import cite, conflicts, corroborate
from .features import candidates
from .question import Question
from .reader import OnnxReader
from .records import Answer, Citation, Hit
from .retrieve import chunk_index
from .select import Weights, answerability, confidence, decide


def with_answer_passages(corpus: Corpus, hits: list[Hit], chosen: list[int]) -> list[Hit]:
    """The passages to show with an answer: those holding its sentences first, in the order
    of ``chosen`` (one the sentence search found may lie outside the retrieved ones), then
    the rest as ranked."""
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
    q: Question,
    query: np.ndarray,
    hits: list[Hit],
    weights: Weights | None = None,
    reader: OnnxReader | None = None,
) -> Answer:
    """The extractive answer to question ``q`` from the retrieved ``hits``, or a declined
    one; ``reader`` reads the ranker's best sentences with the question, to choose among
    them and to weigh the answer (the weights were fitted with one, or with none)."""
    w = weights or Weights()
    question = q.text
    if q.about and (header := answer_about(corpus, question, q.about, hits)):
        passages = [header_passage(header), *hits[: max(len(hits) - 1, 0)]]
        return Answer(
            question, header.quote, True, ABOUT_CONFIDENCE, citations=[header], passages=passages
        )
    c = candidates(corpus, q, query, hits)
    if not len(c.ids):
        reason = (
            "the index holds no articles"
            if not corpus.chunk_count
            else "no passage matched the question"
        )
        return Answer(question, None, False, 0.0, passages=hits, reason=reason, answerability=0.0)
    read = (
        (lambda ids: reader.logits(question, [corpus.text(corpus.sentences[i]) for i in ids]))
        if reader
        else None
    )
    d = decide(corpus, q, c, w, read)
    conf = confidence(d.features, w)
    able = answerability(d.features, w)

    def declined(reason: str, answerability: float) -> Answer:
        # A decline whose best sentence says the thing is not known quotes it as the reason.
        citations: list[Citation] = []
        if not q.unseen and says_not_known(corpus, d):
            reason = NOT_KNOWN
            citations = [
                cite(corpus, i, n + 1, d.score.get(i, 0.0)) for n, i in enumerate(d.chosen)
            ]
        # A declined answer is no surer than the articles are to answer at all.
        return Answer(
            question,
            None,
            False,
            round(min(conf, answerability), 4),
            citations,
            hits,
            reason=reason,
            answerability=round(answerability, 4),
        )

    if rule := ruled_out(q, d):
        # A rule's decline reads below the threshold, whatever the models made of it.
        return declined(rule, min(able, w.threshold / 2))
    if able < w.threshold:
        return declined("the articles do not appear to answer this question", able)
    top, chosen, score = d.top, d.chosen, d.score
    # The passage holding the best sentence leads, then those of the sentences around it.
    hits = with_answer_passages(corpus, hits, [top, *(i for i in chosen if i != top)])
    citations = [cite(corpus, i, n + 1, score.get(i, 0.0)) for n, i in enumerate(chosen)]
    support = corroborate(corpus, top, query)
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
        conflicts=conflicts(corpus, q.kind, [top, *support], score),
        answerability=round(able, 4),
    )
