"""Index terms and the spellings compared across questions and articles: how a word is
normalised for search, which words carry no meaning, numbers and accents."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from bm25s.tokenization import Tokenizer


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """A word's index term: its dictionary form, stemmed. Lemmatising first joins the
    irregular forms a stemmer leaves apart ("met" and "meet", "brought" and "bring"). The
    lemmatiser capitalises some proper nouns ("american" -> "American", but "americans" ->
    "americans"), so its output is lower-cased again to keep one term per word."""
    return _stemmer().stemWord(simplemma.lemmatize(word, lang="en").lower())


def tokenizer() -> Tokenizer:
    return Tokenizer(stemmer=term, stopwords="en")


# Words that say what kind of answer is wanted, not what it is about.
_QUESTION_WORDS = {
    "who",
    "whom",
    "whose",
    "what",
    "when",
    "where",
    "which",
    "why",
    "how",
    "did",
    "does",
    "do",
    "many",
    "much",
    "could",
    "would",
    "should",
    "might",
    "must",
    "can",
    "will",
    "according",
}
STOPWORDS = frozenset(STOPWORDS_EN) | _QUESTION_WORDS
_STOP = STOPWORDS
_ENGLISH = frozenset(STOPWORDS_EN)


def stems(text: str) -> list[str]:
    """Content words of ``text`` as the BM25 vocabulary spells them (lower-cased, stemmed)."""
    words = re.findall(r"(?u)\b\w\w+\b", text.lower())
    return [term(w) for w in words if w not in _STOP]


def lexical_terms(text: str) -> list[str]:
    """The terms BM25 indexes ``text`` by, as ``tokenizer`` finds them: every word but
    the common English ones (question words count, unlike in ``stems``)."""
    words = re.findall(r"(?u)\b\w\w+\b", text.lower())
    return [term(w) for w in words if w not in _ENGLISH]


def content_words(text: str) -> dict[str, str]:
    """Each index term of ``text`` with the word that gave it first (lower-cased)."""
    words = re.findall(r"(?u)\b\w\w+\b", text.lower())
    out: dict[str, str] = {}
    for w in words:
        if w not in _STOP:
            out.setdefault(term(w), w)
    return out


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
