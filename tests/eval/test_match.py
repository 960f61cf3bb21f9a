import pytest

from eval.match import contains, normalize


@pytest.mark.parametrize(
    ("haystack", "needle", "expected"),
    [
        ("brought back six American citizens", "6", True),
        ("brought back 6 American citizens", "six", True),
        ("with over 13,000 Venezuelans", "13000", True),
        ("with over 13000 Venezuelans", "13,000", True),
        ("16 people died", "6", False),  # whole words only
        ("Grenell’s picture", "Grenell's", True),
        ("the death of Baha Mousa's father", "Baha Mousa", True),  # a possessive dropped
        ("shares in Sainsburys rose", "Sainsbury's", True),  # ...or kept as "s"
        ("Sainsbury's shares rose", "Sainsburys", True),
        ("the Sainsbury family", "Sainsburys", False),  # a plain "s" is not dropped
        ("“Niño” Guerrero", "nino guerrero", True),
        ("Tren de Aragua, a gang", "tren de aragua", True),
        ("the Carter Center", "Carter Centre", False),
        ("anything", "", False),
        ("a toll of 1,000,000 dollars", "1000000", True),
        ("twenty-one bridges", "21", True),
        ("six hundred soldiers", "600", True),
        ("a ‘dozen’ boats", "12", True),
        ("grew 6.5 percent", "6", False),  # a decimal is one number
        ("486.3 metres long", "486.3", True),
        ("hundreds of boats", "100", False),
        ("in 1,600 cities", "600", False),
    ],
)
def test_contains(haystack, needle, expected):
    assert contains(haystack, needle) is expected


def test_normalize():
    assert normalize("Over 13,000 — SIX “Americans”!") == "over 13000 6 americans"
    assert normalize("Ninety-nine of 2,500.75 in the U.S.") == "99 of 2500_75 in the u s"
