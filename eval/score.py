"""Score what came back for each question, and sum it up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .match import contains
from .questions import Question

MAX_ANSWER_CHARS = 600


@dataclass(frozen=True)
class Outcome:
    """One question: what came back, whether it was right, and why not."""

    id: str
    question: str
    expected: tuple[str, ...]
    expected_answerable: bool
    expected_docs: tuple[str, ...]
    answer: str | None
    answered: bool
    confidence: float
    citations: list[dict[str, Any]]
    passages: list[str]  # doc_ids of the retrieved passages, in rank order
    rank: int | None  # 1-based rank of the first passage holding an accepted answer
    doc_rank: int | None  # 1-based rank of the first passage from a supporting document
    supported: bool  # a cited quote holds an accepted answer
    offsets_valid: int  # citations whose quote is the document's text at their offsets
    hit: bool
    why: str | None
    latency_ms: float
    reason: str | None = None  # the service's own reason for declining, when it did
    # P(the articles answer it), as the service weighed it; None where no model did
    # (an answer read off an article's header) or the service does not say.
    answerability: float | None = None


def _first(flags: list[bool]) -> int | None:
    return next((i + 1 for i, f in enumerate(flags) if f), None)


def score(
    q: Question,
    response: dict[str, Any],
    document_text: Callable[[str], str | None],
    latency_ms: float,
) -> Outcome:
    """Judge one response (the JSON shape of POST /ask) against its question."""
    answer: str = response.get("answer") or ""
    answered = bool(response.get("answerable")) and response.get("answer") is not None
    citations = response.get("citations", [])
    passages = response.get("passages", [])
    holds = lambda text: any(contains(text or "", a) for a in q.answers)  # noqa: E731
    rank = _first([holds(p["text"]) for p in passages]) if q.answerable else None
    doc_rank = _first([p["doc_id"] in q.doc_ids for p in passages]) if q.doc_ids else None
    supported = q.answerable and any(holds(c["quote"]) for c in citations)
    valid = 0
    for c in citations:
        text = document_text(c["doc_id"])
        valid += text is not None and text[c["start"] : c["end"]] == c["quote"]
    if q.answerable:
        right = answered and holds(answer) and len(answer) <= MAX_ANSWER_CHARS
        if right:
            why = None
        elif not answered:
            # Whether the answer was there to find tells a too-cautious threshold from a
            # retrieval miss that declining rightly gave up on.
            found = f"an answer is in passage {rank}" if rank else "no passage holds an answer"
            why = f"wrongly declined (confidence {response.get('confidence', 0):.2f}; {found})"
        elif len(answer) > MAX_ANSWER_CHARS:
            why = f"answer too long ({len(answer)} characters)"
        elif rank is None:
            why = f"not retrieved (no passage in the top {len(passages)} holds an answer)"
        else:
            why = f"wrong sentence chosen (an answer is in passage {rank})"
    else:
        right = not answered
        why = (
            None
            if right
            else f"answered a question the articles do not answer (confidence {response.get('confidence', 0):.2f})"
        )
    return Outcome(
        id=q.id,
        question=q.question,
        expected=q.answers,
        expected_answerable=q.answerable,
        expected_docs=q.doc_ids,
        answer=response.get("answer"),
        answered=answered,
        confidence=float(response.get("confidence", 0.0)),
        citations=[{k: c[k] for k in ("doc_id", "start", "end", "quote")} for c in citations],
        passages=[p["doc_id"] for p in passages],
        rank=rank,
        doc_rank=doc_rank,
        supported=supported,
        offsets_valid=valid,
        hit=right,
        why=why,
        latency_ms=latency_ms,
        reason=response.get("reason"),
        answerability=response.get("answerability"),
    )


def _mean(values: list[bool] | list[int] | list[float]) -> float:
    """The mean of ``values`` (of flags: the share set), 0 for none."""
    return sum(values) / len(values) if values else 0.0


def _pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def _auc(outcomes: list[Outcome]) -> float | None:
    """How well the service's answerability tells the questions the articles answer from
    those they do not (ROC AUC, over the answers a model weighed); None (and no such
    metric) without both kinds, or where the service does not say."""
    from sklearn.metrics import roc_auc_score

    weighed = [o for o in outcomes if o.answerability is not None]
    if len({o.expected_answerable for o in weighed}) < 2:
        return None
    labels = [o.expected_answerable for o in weighed]
    return float(roc_auc_score(labels, [o.answerability for o in weighed]))


@dataclass
class Report:
    outcomes: list[Outcome]
    metrics: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Report:
        ans = [o for o in outcomes if o.expected_answerable]
        una = [o for o in outcomes if not o.expected_answerable]
        with_docs = [o for o in ans if o.expected_docs]
        cited = sum(len(o.citations) for o in outcomes)
        latencies = [o.latency_ms for o in outcomes]
        # What an answer costs its reader to check: a hit that quotes three sentences is
        # worth less than one that quotes one.
        given = [o for o in outcomes if o.answered]
        m = {
            "questions": len(outcomes),
            "answerable": len(ans),
            "unanswerable": len(una),
            "recall@1": _mean([o.rank == 1 for o in ans]),
            "recall@5": _mean([o.rank is not None and o.rank <= 5 for o in ans]),
            "mrr@5": _mean([1 / o.rank if o.rank and o.rank <= 5 else 0.0 for o in ans]),
            "doc_recall@1": _mean([o.doc_rank == 1 for o in with_docs]),
            "doc_recall@5": _mean([o.doc_rank is not None and o.doc_rank <= 5 for o in with_docs]),
            "hit_rate": _mean([o.hit for o in ans]),
            "citation_support": _mean([o.supported for o in ans if o.answered]),
            "citation_offsets_valid": sum(o.offsets_valid for o in outcomes) / cited
            if cited
            else 1.0,
            "unanswerable_declined": _mean([not o.answered for o in una]),
            # Of the questions declined, the share the articles really do not answer.
            "decline_precision": _mean(
                [not o.expected_answerable for o in outcomes if not o.answered]
            ),
            "answerable_wrongly_declined": _mean([not o.answered for o in ans]),
            "accuracy": _mean([o.hit for o in outcomes]),
            "sentences_per_answer": _mean([len(o.citations) for o in given]),
            "chars_per_answer": _mean([len(o.answer or "") for o in given]),
            "latency_p50_ms": _pct(latencies, 50),
            "latency_p95_ms": _pct(latencies, 95),
        }
        if (auc := _auc(outcomes)) is not None:
            m["answerability_auc"] = auc
        return cls(outcomes, {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()})

    def table(self) -> str:
        m = self.metrics
        rows = [
            (
                "questions (answerable / not)",
                f"{m['questions']} ({m['answerable']} / {m['unanswerable']})",
            ),
            ("retrieval recall@1 (passage)", f"{m['recall@1']:.3f}"),
            ("retrieval recall@5 (passage)", f"{m['recall@5']:.3f}"),
            ("retrieval MRR@5 (passage)", f"{m['mrr@5']:.3f}"),
            ("retrieval recall@1 (doc_ids)", f"{m['doc_recall@1']:.3f}"),
            ("retrieval recall@5 (doc_ids)", f"{m['doc_recall@5']:.3f}"),
            ("answer hit rate", f"{m['hit_rate']:.3f}"),
            ("citation support", f"{m['citation_support']:.3f}"),
            ("citation offsets valid", f"{m['citation_offsets_valid']:.3f}"),
            ("unanswerable declined (recall)", f"{m['unanswerable_declined']:.3f}"),
            ("declines that were right (precision)", f"{m['decline_precision']:.3f}"),
            ("answerable wrongly declined", f"{m['answerable_wrongly_declined']:.3f}"),
            ("overall accuracy", f"{m['accuracy']:.3f}"),
            (
                "sentences / characters per answer",
                f"{m['sentences_per_answer']:.2f} / {m['chars_per_answer']:.0f}",
            ),
            ("latency p50 / p95 (ms)", f"{m['latency_p50_ms']:.1f} / {m['latency_p95_ms']:.1f}"),
        ]
        if "answerability_auc" in m:
            rows.insert(-3, ("answerability AUC", f"{m['answerability_auc']:.3f}"))
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)

    def breach(self, floors: dict[str, float], ceilings: dict[str, float]) -> str | None:
        """The first figure below its floor or above its ceiling, said in a line; None if none."""
        for metric, floor in floors.items():
            if self.metrics[metric] < floor:
                return f"{metric} is {self.metrics[metric]:.3f}, below the floor {floor}"
        for metric, ceiling in ceilings.items():
            if self.metrics[metric] > ceiling:
                return f"{metric} is {self.metrics[metric]:.3f}, above the ceiling {ceiling}"
        return None

    def misses(self) -> list[Outcome]:
        """The misses, worst first: wrong answers given with the most confidence, then
        wrong declines, the nearest to answering first."""
        return sorted(
            (o for o in self.outcomes if not o.hit), key=lambda o: (not o.answered, -o.confidence)
        )

    def to_json(self) -> dict[str, Any]:
        return {"metrics": self.metrics, "questions": [asdict(o) for o in self.outcomes]}
