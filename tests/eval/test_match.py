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
        ("“Niño” Guerrero", "nino guerrero", True),
        ("Tren de Aragua, a gang", "tren de aragua", True),
        ("the Carter Center", "Carter Centre", False),
        ("anything", "", False),
    ],
)
def test_contains(haystack, needle, expected):
    assert contains(haystack, needle) is expected


def test_normalize():
    assert normalize("Over 13,000 — SIX “Americans”!") == "over 13000 6 americans"
