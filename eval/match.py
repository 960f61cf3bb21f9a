"""Whether a text holds an accepted answer, up to case, punctuation and how numbers are written."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NUMBERS = {
    w: str(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
} | {
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "sixty": "60",
    "seventy": "70",
    "eighty": "80",
    "ninety": "90",
    "hundred": "100",
    "dozen": "12",
}


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """Lower case, accents folded, punctuation dropped, "13,000" -> "13000", "six" -> "6"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"(?<=\d)[,\u202f](?=\d{3}\b)", "", text)
    text = re.sub(r"[’'`]s\b", "s", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(_NUMBERS.get(w, w) for w in text.split())


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole words, after normalising both."""
    n = normalize(needle)
    return bool(n) and f" {n} " in f" {normalize(haystack)} "
