from pathlib import Path

import pytest

from eval.calibrate import HELD_OUT
from eval.match import contains
from eval.questions import BadQuestions, Question, load_questions, near_copies

ROOT = Path(__file__).resolve().parents[2]
SETS = [
    (ROOT / "eval/questions.jsonl", ROOT / "seeds"),
    (ROOT / "eval/heldout_questions.jsonl", ROOT / "seeds"),
    (ROOT / "eval/tuning_questions.jsonl", ROOT / "seeds"),
    (ROOT / "eval/corpora/encyclopedia/questions.jsonl", ROOT / "eval/corpora/encyclopedia"),
]
NEWSDESK = sorted((ROOT / "eval/corpora").glob("newsdesk*"))  # news collections, questions inside
SETS += [(folder / "questions.jsonl", folder) for folder in NEWSDESK]
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
if BBC.is_dir():  # the shared collection, beside the project
    # (Not bbc_heldout: its b033 is stated only as "Dornford-May's", which the matcher
    # folds to "dornfordmays"; its figures are kept comparable as they are.)
    SETS += [
        (ROOT / f"eval/{name}_questions.jsonl", BBC)
        for name in (
            "bbc_dev",
            "bbc_heldout2",
            "bbc_heldout4",
            "bbc_fit",
            "bbc_fit2",
            "bbc_fit3",
            "bbc_fit4",
            "bbc_fit5",
            "bbc_style",
        )
    ]


@pytest.mark.parametrize(("questions", "corpus"), SETS, ids=lambda p: p.name)
def test_every_accepted_answer_is_in_its_documents(questions, corpus):
    texts = {p.stem: p.read_bytes().decode("utf-8", errors="replace") for p in corpus.glob("*.txt")}
    qs = load_questions(questions)
    for q in qs:
        if not q.answerable:
            assert not q.answers and not q.doc_ids, q.id
            continue
        assert q.doc_ids, f"{q.id}: an answerable question names its documents"
        for d in q.doc_ids:
            assert d in texts, f"{q.id}: no document {d}"
            assert any(contains(texts[d], a) for a in q.answers), f"{q.id}: no answer in {d}"
        for a in q.answers:
            assert any(contains(texts[d], a) for d in q.doc_ids), (
                f"{q.id}: {a!r} in none of its documents"
            )


def test_the_news_collections_are_all_checked():
    assert len(NEWSDESK) >= 12  # newsdesk, newsdesk2 ... newsdesk12


def test_the_seed_set_has_what_the_suite_needs():
    qs = load_questions(ROOT / "eval/questions.jsonl")
    assert len(qs) >= 60
    assert sum(not q.answerable for q in qs) >= 12
    assert sum(len(q.doc_ids) > 1 for q in qs) >= 5  # answered by several outlets
    assert sum(q.doc_ids == ("004_d437317e571d7d5a",) for q in qs) >= 5  # only in the web-page seed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "question": "Q?"', ":1: not JSON"),
        ('{"id": "a", "question": "Q?"}', "missing answerable"),
        ('{"id": "a", "question": "Q?", "answerable": true, "answers": []}', "needs at least one"),
        (
            '{"id": "a", "question": "Q?", "answerable": false}\n{"id": "a", "question": "R?", "answerable": false}',
            ":2: id 'a' is used twice",
        ),
        ('{"id": "a", "question": "  ", "answerable": false}', "question is empty"),
        ("", "no questions"),
    ],
)
def test_bad_question_files_say_where_and_what(tmp_path, content, message):
    path = tmp_path / "q.jsonl"
    path.write_text(content)
    with pytest.raises(BadQuestions, match=message):
        load_questions(path)


def _q(id_: str, text: str) -> Question:
    return Question(id_, text, (), (), False)


def test_near_copies_are_the_same_question_written_apart():
    held = [_q("h1", "Which country won the 2010 FIFA World Cup final in South Africa?")]
    fit = [
        _q("f1", "Which country won the 2010 Fifa World Cup final in Johannesburg?"),
        _q("f2", "Who scored the winning goal in the FA Cup final?"),
        _q("f3", "Which country will host the 2010 World Cup?"),
    ]
    assert [q.id for q in near_copies(fit, held)] == ["f1"]
    assert near_copies(fit, []) == []


def test_the_held_out_sets_calibrate_keeps_apart_are_all_there():
    assert all(path.exists() for path in HELD_OUT), [p for p in HELD_OUT if not p.exists()]
