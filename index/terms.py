"""Index terms: how a word is spelt in the lexical index, one definition for writing and asking."""

from __future__ import annotations

import re
from functools import lru_cache

import simplemma
import Stemmer
from bm25s.stopwords import STOPWORDS_EN


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
    """The terms the lexical index holds ``text`` under, or a question is searched by:
    every word but the common English ones (question words count, unlike in ``stems``)."""
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
