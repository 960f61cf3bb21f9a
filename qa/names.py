"""Names and numbers a question uses that no article does: the articles cannot be the
answer's source, however close their wording ("Australia" asked of articles about rivers)."""

from __future__ import annotations

import difflib
import re

from .corpus import Corpus
from .terms import fold, number

# A capitalised word inside a question: a name, place or title the answer must be about.
# Acronyms are left out ("NGOs", "US"): articles as often spell them out.
_QUESTION_NAME = re.compile(r"(?<=\S\s)[A-Z][\w’'.-]*\w")
_ACRONYM = re.compile(r"[A-Z]+s?")
# Titles: capitalised before a name, but no name themselves ("Mr Grenell").
_TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sir",
        "dame",
        "prof",
        "president",
        "senator",
        "governor",
        "mayor",
        "minister",
        "chief",
        "judge",
        "general",
        "captain",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "saint",
        "st",
    ]
)


def unseen_names(corpus: Corpus, question: str) -> list[str]:
    """Names and numbers in the question that no article uses, in its text or its title,
    author or outlet ("Australia" asked of articles about rivers): the articles cannot be
    the answer's source, however close the wording. A word sharing all but its last three
    letters (and at least four) counts as used, so that "Swedish" is found in "Sweden";
    so does a near spelling ("Grennell", "Nicholas" for "Nicolás"); accents are ignored.
    A question in title case has no telling capitals, and is not judged."""
    words = re.findall(r"[A-Za-z][\w’'.-]*", question)
    if len(words) > 3 and sum(w[0].isupper() for w in words) > 0.6 * len(words):
        return []
    out: list[str] = []
    for m in _QUESTION_NAME.finditer(question):
        for word in re.findall(r"\w+", m.group().split("’")[0].split("'")[0]):
            w = fold(word)
            if not word[0].isupper() or _ACRONYM.fullmatch(word) or w in _TITLES:
                continue
            if not corpus.words_with_prefix(w[: max(4, len(w) - 3)]) and not _near(corpus, w):
                out.append(word)
    # A year or version ("2022", "4.0") no article writes; short numbers may be spelt out.
    for written in re.findall(r"\d+(?:[.,]\d+)*(?!\w)", question):
        if (len(written) >= 3 or "." in written) and not corpus.has_number(number(written)):
            out.append(written)
    return list(dict.fromkeys(out))[:5]


def _near(corpus: Corpus, word: str) -> bool:
    """Whether the articles use a word spelt almost like ``word`` ("Grennell" for "Grenell";
    not "Australia" for "Austria")."""
    if len(word) < 5:
        return False
    same_start = corpus.words_with_prefix(word[:2])
    return bool(difflib.get_close_matches(word, same_start, n=1, cutoff=0.9))
