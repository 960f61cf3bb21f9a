"""One reading of the question: its answer type, terms, names and sources; and the
word-level closeness that lets a paraphrase count."""

import numpy as np
import pytest

from qa.answer_type import (
    ASKED_SCALE,
    TYPES,
    AnswerTyper,
    asked_vector,
    default_typer,
    question_features,
)
from qa.features import soft_share, soft_shares
from qa.question import asked_for, read_question

from ..conftest import FakeEmbedder, build_qa

ARTICLES = {
    "a": "Storm hits coast\n\nBy Ana Reyes\n\nThe storm injured 40 people in Vigo on Monday, "
    "the mayor said. Repairs will cost 2 million euros.",
    "b": "Council vote\n\nThe council voted 7 to 2 to approve the solar farm. "
    "The farm will have 14,000 panels.",
}


@pytest.fixture(scope="module")
def qa(tmp_path_factory):
    service = build_qa(tmp_path_factory.mktemp("q") / "index", FakeEmbedder(), ARTICLES)
    yield service
    service.close()


def test_question_features_hold_words_pairs_and_opening():
    f = question_features("How many people were hurt?")
    assert {"w:how", "b:how_many", "f0:how", "f1:many", "f01:how_many"} <= set(f)


def test_the_typer_is_a_softmax_over_its_weights():
    typer = AnswerTyper({"f01:how_many": {"count": 4.0}}, dict.fromkeys(TYPES, 0.0))
    p = typer.probabilities("How many people were hurt?")
    assert abs(sum(p.values()) - 1) < 1e-9
    assert max(p, key=p.get) == "count"
    flat = typer.probabilities("Why did it happen?")
    assert max(flat.values()) - min(flat.values()) < 1e-9  # nothing known: uniform


def test_the_asked_for_words_vector_is_their_unit_mean_scaled():
    assert not asked_vector(()).any() and not asked_vector(("zzqx",)).any()
    v = asked_vector(("net", "profit"))
    assert abs(float(np.linalg.norm(v)) - ASKED_SCALE) < 1e-4


def test_the_typer_types_a_noun_by_its_meaning():
    # Weights that tie "money" to the vector of "salary" alone type "wage" and "fee" as
    # money too, and leave a noun of another meaning alone.
    money = (asked_vector(("salary",)) / ASKED_SCALE).tolist()
    asked = {t: (money if t == "money" else [0.0] * len(money)) for t in TYPES}
    typer = AnswerTyper(
        {}, dict.fromkeys(TYPES, 0.0), {t: [4 * x for x in v] for t, v in asked.items()}
    )
    for noun in ("wage", "fee"):
        p = typer.probabilities(f"What {noun} was agreed?", asked_for(f"What {noun} was agreed?"))
        assert max(p, key=p.get) == "money", (noun, p)
    p = typer.probabilities("What village was flooded?", asked_for("What village was flooded?"))
    assert p["money"] < 0.5 * typer.probabilities("What wage?", ("wage",))["money"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is the mayor of Vigo?", "person"),
        ("How many people were injured?", "count"),
        ("When did the storm hit?", "date"),
        ("How much will the repairs cost?", "money"),
        ("Which country did he visit?", "place"),
    ],
)
def test_the_fitted_typer_reads_common_questions(question, expected):
    p = default_typer().probabilities(question, asked_for(question))
    assert max(p, key=p.get) == expected, p


def test_a_question_is_read_once_into_its_record(qa):
    q = read_question(qa.corpus, "How many people did the storm hurt in Vigo?")
    assert q.kind == "number"
    assert set(q.terms) == {"peopl", "storm", "hurt", "vigo"}
    assert q.written["hurt"] == "hurt"
    assert q.unseen == ()
    assert "vigo" in q.words


def test_a_name_no_article_uses_is_noted(qa):
    q = read_question(qa.corpus, "How many people did the storm hurt in Lisbon?")
    assert q.unseen == ("Lisbon",)


def test_a_paraphrase_counts_by_word_closeness(qa):
    q = read_question(qa.corpus, "How many people did the storm hurt?")
    injured = "The storm injured 40 people in Vigo on Monday."
    voted = "The storm voted 40 people in Vigo on Monday."
    present = frozenset({"storm", "peopl", "vigo", "monday"})
    exact = q.weight(present)
    assert soft_share(q, present, injured) > soft_share(q, present, voted) >= exact


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What net profit did German airline Lufthansa report for 2004?", ("net", "profit")),
        ("At which London theatre is the musical playing?", ("theatre",)),
        ("How many quarries does the firm run?", ("quarries",)),
        ("What was the peak audience for the episode?", ("peak", "audience")),
        ("What was Germany's official jobless total in January?", ("official", "jobless", "total")),
        ("What is the name of the ship?", ()),  # a form word: the answer stands for it
        ("Who is the mayor of Vigo?", ()),
        ("What's the jobless total?", ("jobless", "total")),
        ("Who runs the firm which the council hired?", ()),  # a clause's, not the question's
        ("How many people died in the fire?", ()),  # "died" ends it
        ("What speed did the train reach?", ("speed",)),  # "speed" is no verb
    ],
)
def test_what_a_question_asks_for_is_its_question_words_phrase(question, expected):
    assert asked_for(question) == expected


def test_each_sentence_scores_alone_what_it_scores_among_others(qa):
    # The shares of many sentences are found in one pass over all their words; a sentence
    # with no word of the vocabulary (here first, between others, and last) must neither
    # borrow its neighbour's words nor lend its own.
    q = read_question(qa.corpus, "How many people did the storm hurt in Vigo?")
    texts = [
        "12 34",
        "The storm injured 40 people in Vigo on Monday.",
        "--",
        "Citizens were wounded in the city.",
        "The council voted 7 to 2.",
        "56",
    ]
    present = [
        frozenset({"storm", "peopl", "vigo"}) if "storm" in t else frozenset() for t in texts
    ]
    together = soft_shares(q, present, texts)[0].tolist()
    alone = [soft_share(q, p, t) for p, t in zip(present, texts, strict=True)]
    assert together == pytest.approx(alone)
    assert together[0] == together[2] == together[5] == 0.0 < together[3] < together[1]


def test_a_sentence_naming_what_is_asked_for_holds_the_focus(qa):
    q = read_question(qa.corpus, "How many panels will the solar farm have?")
    assert q.focus == {"panel"}
    restates = "The council voted 7 to 2 to approve the solar farm."
    answers = "The farm will have 14,000 panels."
    terms = [
        frozenset({"council", "vote", "approv", "solar", "farm"}),
        frozenset({"farm", "panel"}),
    ]
    _, focus = soft_shares(q, terms, [restates, answers])
    assert focus[1] == 1.0 > focus[0]
    none = read_question(qa.corpus, "Who approved the solar farm?")
    assert soft_shares(none, terms, [restates, answers])[1].tolist() == [0.5, 0.5]
