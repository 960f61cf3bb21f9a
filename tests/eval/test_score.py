"""The metric arithmetic, on hand-built responses."""

import pytest

from eval.questions import Question
from eval.score import Report, score

TEXT = {"d1": "Six people were rescued. The ferry sank on Sunday.", "d2": "Nothing here."}


def _response(answer, passages, citations=(), answerable=True, confidence=0.9):
    return {
        "answer": answer,
        "answerable": answerable,
        "confidence": confidence,
        "citations": list(citations),
        "passages": passages,
    }


def _p(doc_id, text):
    return {"doc_id": doc_id, "text": text}


Q1 = Question("q1", "How many were rescued?", ("six",), ("d1",), True)
Q2 = Question("q2", "When did it sink?", ("Sunday",), ("d1",), True)
Q3 = Question("q3", "Who owned it?", (), (), False)


def test_metrics_on_known_outcomes():
    cite_ok = {"doc_id": "d1", "start": 0, "end": 24, "quote": "Six people were rescued."}
    cite_bad = {"doc_id": "d1", "start": 0, "end": 5, "quote": "Seven"}
    outcomes = [
        # right answer, answer in passage 2, valid citation
        score(
            Q1,
            _response(
                "Six people were rescued.", [_p("d2", "x"), _p("d1", "6 were rescued")], [cite_ok]
            ),
            TEXT.get,
            10.0,
        ),
        # wrongly declined; answer retrieved at rank 1
        score(
            Q2,
            _response(None, [_p("d1", "sank on Sunday")], answerable=False, confidence=0.2),
            TEXT.get,
            20.0,
        ),
        # answered an unanswerable question, with a citation whose offsets are wrong
        score(Q3, _response("Seven", [_p("d1", "x")], [cite_bad]), TEXT.get, 30.0),
    ]
    m = Report.of(outcomes).metrics
    assert m["recall@1"] == 0.5 and m["recall@5"] == 1.0
    assert m["mrr@5"] == pytest.approx((1 / 2 + 1) / 2, abs=1e-4)
    assert m["doc_recall@1"] == 0.5
    assert m["hit_rate"] == 0.5
    assert m["citation_support"] == 1.0
    assert m["citation_offsets_valid"] == 0.5
    assert m["unanswerable_declined"] == 0.0
    assert m["answerable_wrongly_declined"] == 0.5
    assert m["accuracy"] == pytest.approx(1 / 3, abs=1e-4)
    # Two answers given, one sentence cited each, of 24 and 5 characters.
    assert m["sentences_per_answer"] == 1.0 and m["chars_per_answer"] == 14.5
    lines = Report.of(outcomes).table().splitlines()
    assert [x.split()[-3:] for x in lines if x.startswith("sentences")] == [["1.00", "/", "14"]]
    assert m["latency_p50_ms"] == 20.0
    whys = [o.why for o in outcomes]
    assert whys[0] is None
    assert whys[1].startswith("wrongly declined")
    assert whys[2].startswith("answered a question")


def test_a_long_answer_is_a_miss():
    o = score(Q1, _response("Six " + "words " * 200, [_p("d1", "six")]), TEXT.get, 1.0)
    assert not o.hit and o.why.startswith("answer too long")


def test_declining_an_unanswerable_question_is_a_hit():
    o = score(Q3, _response(None, [], answerable=False), TEXT.get, 1.0)
    assert o.hit and o.why is None


def test_a_wrong_decline_says_whether_the_answer_was_retrieved():
    found = score(Q2, _response(None, [_p("d2", "x"), _p("d1", "on Sunday")], answerable=False,
                                confidence=0.31), TEXT.get, 1.0)  # fmt: skip
    lost = score(Q2, _response(None, [_p("d2", "x")], answerable=False), TEXT.get, 1.0)
    assert found.why == "wrongly declined (confidence 0.31; an answer is in passage 2)"
    assert lost.why.endswith("; no passage holds an answer)")


def test_breach_names_the_first_figure_past_its_limit():
    outcomes = [
        score(Q1, _response("Six people were rescued.", [_p("d1", "six")]), TEXT.get, 1.0),
        score(Q2, _response(None, [_p("d1", "Sunday")], answerable=False), TEXT.get, 1.0),
    ]
    report = Report.of(outcomes)
    assert (
        report.breach({"hit_rate": 0.5, "recall@5": 1.0}, {"answerable_wrongly_declined": 0.5})
        is None
    )
    assert report.breach({"hit_rate": 0.6}, {}) == "hit_rate is 0.500, below the floor 0.6"
    assert (
        report.breach({}, {"answerable_wrongly_declined": 0.4})
        == "answerable_wrongly_declined is 0.500, above the ceiling 0.4"
    )


def test_misses_come_worst_first():
    outcomes = [
        score(Q2, _response(None, [], answerable=False, confidence=0.2), TEXT.get, 1.0),
        score(Q2, _response("It sank.", [], confidence=0.5), TEXT.get, 1.0),
        score(Q3, _response("Seven", [], confidence=0.9), TEXT.get, 1.0),
        score(Q1, _response("Six.", [], confidence=0.7), TEXT.get, 1.0),  # a hit
    ]
    assert [o.confidence for o in Report.of(outcomes).misses()] == [0.9, 0.5, 0.2]


def test_the_answerability_auc_ranks_answerable_over_unanswerable():
    def asked(q, able):
        return score(
            q, {**_response(None, [], answerable=False), "answerability": able}, TEXT.get, 1.0
        )

    # Answerable at 0.9 and 0.6, unanswerable at 0.7 and 0.1: of the four pairs, one is
    # ordered the wrong way. A header answer (None) is left out.
    outcomes = [asked(Q1, 0.9), asked(Q2, 0.6), asked(Q3, 0.7), asked(Q3, 0.1), asked(Q1, None)]
    assert Report.of(outcomes).metrics["answerability_auc"] == 0.75
    assert "answerability AUC" in Report.of(outcomes).table()
    # Without the service saying it, or without both kinds of question, there is none.
    assert "answerability_auc" not in Report.of([asked(Q1, 0.9), asked(Q2, 0.2)]).metrics
    unsaid = [score(q, _response(None, []), TEXT.get, 1.0) for q in (Q1, Q3)]
    assert "answerability_auc" not in Report.of(unsaid).metrics
