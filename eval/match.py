"""Whether a text holds an accepted answer, up to case, punctuation and how numbers are written."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = [
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
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_NUMBERS = (
    {w: i for i, w in enumerate(_UNITS + _TEENS)}
    | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
    | {"hundred": 100, "dozen": 12}
)


_TENS_UNITS = re.compile(rf"\b({'|'.join(_TENS)}) ({'|'.join(_UNITS[1:])})\b")
_HUNDREDS = re.compile(rf"\b({'|'.join(_UNITS[1:])}|[1-9]) hundred\b")


def _numbers(text: str) -> str:
    """Number words as digits: "six" -> 6, "twenty one" -> 21, "six hundred" -> 600."""
    text = _TENS_UNITS.sub(lambda m: str(_NUMBERS[m[1]] + _NUMBERS[m[2]]), text)
    text = _HUNDREDS.sub(lambda m: str(100 * int(_NUMBERS.get(m[1], m[1]))), text)
    return " ".join(str(_NUMBERS.get(w, w)) for w in text.split())


@lru_cache(maxsize=65536)
def normalize(text: str, possessive: str = "s") -> str:
    """Lower case, accents folded, punctuation dropped, "13,000" -> "13000", "six" -> "6",
    "6.5" kept whole; a trailing "'s" becomes ``possessive`` ("Sainsbury's" ->
    "sainsburys", or "sainsbury" with ``possessive=""``)."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"(?<=\d)[,\u202f](?=\d{3}\b)", "", text)
    # A decimal point stays part of its number (as "_", a word character), so that
    # "6" is not found in "6.5 million".
    text = re.sub(r"(?<=\d)\.(?=\d)", "_", text.replace("_", " "))
    text = re.sub(r"[’'`]s\b", possessive, text)
    text = re.sub(r"[^\w\s]", " ", text)
    return _numbers(" ".join(text.split()))


def contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as whole words, after normalising both
    alike: with a possessive "'s" kept as "s" (so "Sainsbury's" finds "Sainsburys") or
    dropped (so "Baha Mousa" finds "Baha Mousa's")."""
    for possessive in ("s", ""):
        n = normalize(needle, possessive)
        if n and f" {n} " in f" {normalize(haystack, possessive)} ":
            return True
    return False
