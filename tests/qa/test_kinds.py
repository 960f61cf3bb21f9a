"""What a question asks for, and whether a sentence holds it."""

import pytest

from qa.kinds import holds_kind, question_kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many people died?", "number"),
        ("What tariff rate did they threaten?", "number"),
        ("How long is the bridge?", "measure"),
        ("How many cubic metres of water did it hold?", "measure"),
        ("How much longer did the trips take?", "measure"),
        ("How old is the pendant?", "measure"),
        ("How much did the bridge cost to build?", "money"),
        ("How much copper was mined?", "number"),
        ("When did the talks start?", "date"),
        ("In which year was it built?", "date"),
        ("Who met the president?", "who"),
        ("Which envoy travelled to Caracas?", "who"),
        ("What are the names of the six men?", "who"),
        ("Which company did he join?", "name"),
        ("Where did the plane land?", "place"),
        ("Which country's police arrested him?", "place"),
        ("How far has the gang spread?", None),
        ("Why did the harbour close?", None),
    ],
)
def test_question_kind(question, kind):
    assert question_kind(question) == kind


@pytest.mark.parametrize(
    ("sentence", "kind", "question", "holds"),
    [
        ("Six people were rescued.", "number", "How many?", 1.0),
        ("People were rescued.", "number", "How many?", 0.0),
        ("The MS-13 gang was designated in 2025.", "number", "How many?", 0.0),
        ("They met on Jan. 31 in the capital.", "date", "When?", 1.0),
        ("The river is 2,850 km long.", "measure", "How long?", 1.0),
        ("They were held for five years.", "measure", "How long?", 1.0),
        ("The train was doing 58 mph on the curve.", "measure", "How fast was it going?", 1.0),
        ("It opened in 1883 after years of work.", "measure", "How long is it?", 0.0),
        ("A pendant dated to 8700 BC was found.", "measure", "How old?", 1.0),
        ("John Smith, 45, was arrested.", "measure", "How old is John Smith?", 1.0),
        ("The bridge cost $15.5 million.", "money", "How much did it cost?", 1.0),
        ("The fund is worth $5 million.", "measure", "How big is the fund?", 1.0),
        ("It lies 9 kilometres upstream.", "measure", "How many cubic metres did it hold?", 0.0),
        ("It held 4 million cubic meters.", "measure", "How many cubic metres did it hold?", 1.0),
        ("Sirens sounded at 1:15 a.m.", "date", "When did the sirens sound?", 1.0),
        ("Sirens sounded two hours later.", "date", "When did the sirens sound?", 1.0),
        ("Officials agreed last week to resume flights.", "date", "When will flights resume?", 0.0),
        ("Flights will resume on March 3.", "date", "When will flights resume?", 1.0),
        ("The bridge cost a fortune.", "money", "How much did it cost?", 0.0),
        ("The envoy Richard Grenell flew in.", "who", "Who flew in?", 1.0),
        # a name already in the question is no answer to "who"
        ("Richard Grenell flew in.", "who", "Who is Richard Grenell?", 0.0),
        (
            "Ontario's Ministry of Mines was told.",
            "who",
            "Who at the Ontario Ministry of Mines?",
            0.0,
        ),
        ("He later joined Microsoft as an engineer.", "name", "Which company did he join?", 1.0),
        ("Last year, Spanish police arrested him.", "place", "Which country's police?", 1.0),
        # a name in an attribution is who spoke, unless its title is what was asked
        ("Two were hurt, Fire Chief Dana Moreau told reporters.", "who", "Who was hurt?", 0.0),
        (
            "The filing says Northcape chief executive Marianne Okafor said so.",
            "who",
            "What is the name of Northcape's chief executive?",
            1.0,
        ),
        ("Anything", None, "Why?", 0.5),
    ],
)
def test_holds_kind(sentence, kind, question, holds):
    assert holds_kind(sentence, kind, question) == holds
