"""Every shape of story is indexed and answerable, with the real model: a question per
shape whose answer stands on a line the old per-line punctuation rule threw away."""

import pytest

from .conftest import build_qa
from .index.test_clean import SHAPES, read_shape

QUESTIONS = {
    "live_blog": ("How many people did fire crews rescue from cars?", "rescued 14 people"),
    "wire_tags": ("What pay rise does the union want?", "9% pay rise"),
    "bulleted": ("How much extra money is there for hospital waiting lists?", "£2bn"),
    "numbered": ("What did the snap poll after the debate show?", "ahead by 4 points"),
    "q_and_a": ("How many birds will be culled?", "65,000 birds"),
    "team_sheet": ("Who was the referee?", "Matthew Carley"),
    "results_table": ("What was the score between Everton and Fulham?", "Everton 2-1 Fulham"),
    "web_page": ("How much is the work on the bridge costing?", "£1.2m"),
}


@pytest.fixture(scope="module")
def shapes_qa(tmp_path_factory, real_embedder):
    articles = {p.stem: read_shape(p)[0] for p in sorted(SHAPES.glob("*.txt"))}
    assert set(articles) == set(QUESTIONS)
    service = build_qa(tmp_path_factory.mktemp("shapes") / "index", real_embedder, articles)
    yield service
    service.close()


@pytest.mark.parametrize("shape", sorted(QUESTIONS))
def test_each_shape_is_answerable_from_its_own_story(shapes_qa, shape):
    question, expected = QUESTIONS[shape]
    answer = shapes_qa.ask(question)
    assert answer.answerable, (shape, answer.reason)
    assert expected in answer.answer
    assert answer.citations[0].doc_id == shape
