from datetime import date
from pathlib import Path

import pytest

from index import BadArticle, parse, read_article
from index.parse import find_date

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date 2025-02-01 Trump says", date(2025, 2, 1)),
        ("Originally Published: 01 FEB 25 00:07 ET", date(2025, 2, 1)),
        ("FP News Desk • September 27, 2025, 12:40:24 IST", date(2025, 9, 27)),
        ("Updated Sept. 3 2024", date(2024, 9, 3)),
        ("14 March 2023", date(2023, 3, 14)),
        ("no date here at all", None),
        ("February 30, 2025", None),  # not a real day
    ],
)
def test_find_date_reads_the_usual_news_forms(line, expected):
    assert find_date(line) == expected


def test_leading_date_marker_gives_date_and_is_not_the_title():
    a = parse(
        " date 2025-02-01 Storm closes the harbour\n\nThe harbour in Port Elin closed on Monday after a storm.\n",
        "x",
    )
    assert a.published == date(2025, 2, 1)
    assert a.title == "Storm closes the harbour"


def test_byline_and_dateline_give_author_and_outlet():
    text = (
        "Updated: 01 FEB 25 00:09 ET\n\nBy Ann Lee and Bo Chan, CNN\n\n"
        "(CNN) — Six people were rescued from the river on Friday evening, officials said.\n"
    )
    a = parse(text, "x")
    assert (a.author, a.outlet, a.published) == ("Ann Lee and Bo Chan", "CNN", date(2025, 2, 1))


def test_empty_article_is_refused_with_a_reason():
    with pytest.raises(BadArticle, match="empty"):
        parse("   \n\n", "x")


def test_menu_only_page_is_refused_with_a_reason():
    with pytest.raises(BadArticle, match="no article text"):
        parse("Home\nWorld\nSports\n• Cricket\n", "x")


def test_seed_metadata():
    got = {p.stem[:3]: read_article(p) for p in sorted(SEEDS.glob("*.txt"))}
    assert (
        got["000"].title == "Trump says Venezuela agrees to receive illegal migrants captured in US"
    )
    assert got["000"].published == date(2025, 2, 1)
    assert got["001"].title.startswith(
        "Trump Says Venezuela Agreed to Take Illegal Immigrants Back"
    )
    assert got["001"].published is None  # the only date above the story is a 2022 photo caption
    assert got["003"].published == date(2025, 2, 1)
    assert (got["003"].author, got["003"].outlet) == ("Alejandra Jaramillo and Chris Lau", "CNN")
    assert got["004"].title.startswith("Venezuela’s Maduro offers to help Trump hunt down")
    assert got["004"].published == date(2025, 9, 27)


def test_cnn_seed_without_a_headline_is_titled_by_its_whole_first_line():
    a = read_article(next(SEEDS.glob("003_*.txt")))
    assert a.title == (
        "Six Americans who had been detained in Venezuela are heading home to the US, "
        "President Donald Trump announced Friday, after his envoy met with the country’s "
        "President Nicolás Maduro."
    )


def test_a_long_first_line_gives_its_first_sentence_whole_never_a_cut_one():
    first = (
        "The regional transport authority confirmed on Tuesday that the Northgate line will "
        "close for eleven weeks from March while engineers replace the signalling system."
    )
    rest = " It said replacement buses would run every ten minutes at peak times." * 4
    a = parse(f"By Ann Lee\n\n{first}{rest}\n\nThe work will cost £40m in all.\n", "x")
    assert a.title == first


def test_the_headline_is_the_title_even_above_a_long_story():
    a = parse(
        "Home\nNews\n\nNorthgate line to close for eleven weeks\n\nBy Ann Lee\n\n"
        "The regional transport authority confirmed on Tuesday that the Northgate line "
        "will close for eleven weeks from March.\n",
        "x",
    )
    assert a.title == "Northgate line to close for eleven weeks"
