"""Index terms and the spellings compared across questions and articles: how a word is
normalised for search, which words carry no meaning, numbers and accents."""

from __future__ import annotations

import re
import unicodedata

from index.terms import STOPWORDS, content_words, lexical_terms, stems, term

__all__ = ["STOPWORDS", "content_words", "lexical_terms", "stems", "term"]


# Abbreviations readers type that articles often spell out. A question's abbreviation is
# read as its long form only when the articles never use the abbreviation itself.
ABBREVIATIONS = {
    "CEO": "chief executive",
    "CFO": "chief financial officer",
    "COO": "chief operating officer",
    "CTO": "chief technology officer",
    "ER": "emergency room",
    "ERs": "emergency rooms",
    "ICU": "intensive care unit",
    "PM": "prime minister",
    "MP": "member of parliament",
    "MPs": "members of parliament",
    "UN": "United Nations",
    "EU": "European Union",
    "UK": "United Kingdom",
    "NGO": "nongovernmental organization",
    "NGOs": "nongovernmental organizations",
    "govt": "government",
    "dept": "department",
}
# Not after a figure: "5 PM" is a time.
_ABBREVIATION = re.compile(r"(?<!\d)(?<!\d\s)\b(" + "|".join(ABBREVIATIONS) + r")\b")


def fold(text: str) -> str:
    """Lower-cased, without accents: "Sánchez" and "Sanchez" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def number(written: str) -> str:
    """A number as written ("2,850", "14.50") in one spelling for comparison ("2850",
    "14.5")."""
    n = written.replace(",", "")
    return n.rstrip("0").rstrip(".") if "." in n else n


def source_names(outlet: str | None, author: str | None) -> list[str]:
    """How a question may name an article's source: its outlet or an author's full name
    ("Northern Wire Service", "Jack Phillips"), as lower-cased words joined by spaces. A
    surname alone is not enough: the story may quote someone else of that name."""
    names = [outlet] if outlet else []
    if author:
        names += [n for n in re.split(r",|\band\b", author) if n.strip()]
    return [" ".join(re.findall(r"\w+", n.lower())) for n in names if re.search(r"\w", n)]
