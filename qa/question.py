"""One reading of a question, made once per ask and read by every later step.

A ``Question`` says what kind of answer is wanted (as the answer-type model's
probabilities, and the coarse kind read off the wording), which content words it asks
about with their weights, and which names and sources it mentions. Nothing after it
parses the question's text again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .about import asks_about_article, sources_named
from .answer_type import AnswerTyper, default_typer
from .corpus import Corpus
from .kinds import question_kind
from .names import unseen_names
from .terms import content_words

# Words that only say what form the answer takes ("how long", "the name of", "what kind
# of"): an answer need not repeat them.
_ASKING = re.compile(
    r"\bhow (long|old|far|big|large|much|many|often|tall|deep|wide|high)\b"
    r"|\b(kind|type|sort) of\b",
    re.I,
)


# What a question asks for is the phrase after its question word ("What net profit did…",
# "Which London theatre…", "How many quarries…"), up to its verb or a preposition. Only
# the first question word is read: a later one opens a clause ("…the firm which hired…").
_FIRST_ASKING = re.compile(r"\b(?:what|which|whose|who|whom|when|where|why|how)\b", re.I)
_ASKS_FOR = re.compile(
    r"(?:what(?:['’]s)?|which|whose|how (?:much|many))\s+(?:(?:is|was|are|were)\s+)?"
    r"(?:(?:the|a|an)\s+)?(.*)",
    re.I,
)
_PHRASE_ENDS = frozenset(
    [
        "did",
        "does",
        "do",
        "was",
        "were",
        "is",
        "are",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "might",
        "must",
        "be",
        "been",
        "being",
        "of",
        "in",
        "for",
        "at",
        "to",
        "by",
        "on",
        "from",
        "with",
        "as",
        "about",
        "after",
        "before",
        "during",
        "under",
        "over",
        "into",
        "that",
        "who",
        "which",
        "whom",
        "whose",
        "than",
        "and",
        "or",
    ]
)
# Words that say only what form the answer takes: any answer may leave them out.
_FORM_WORDS = frozenset(
    [
        "name",
        "names",
        "number",
        "year",
        "day",
        "date",
        "kind",
        "type",
        "sort",
        "one",
        "ones",
        "thing",
        "things",
        "way",
        "part",
        "person",
        "people",
        "time",
    ]
)


def asked_for(text: str) -> tuple[str, ...]:
    """The common words of the phrase naming what ``text`` asks for, lower-cased: "net
    profit" of "What net profit did Lufthansa report?", "theatre" of "At which London
    theatre…". Names (capitalised), figures, possessives and form words ("the name of")
    are left out: the answer stands in for them."""
    first = _FIRST_ASKING.search(text)
    m = _ASKS_FOR.match(text, first.start()) if first else None
    if not m:
        return ()
    words: list[str] = []
    for token in re.findall(r"[\w'’-]+", m.group(1))[:6]:
        low = token.lower()
        if low in _PHRASE_ENDS or (len(low) > 3 and low.endswith("ed") and low[-3] != "e"):
            break  # its verb ("died", not "speed") or a preposition: the phrase has ended
        if token[0].isupper() or token[0].isdigit() or low.endswith(("'s", "’s")):
            continue
        words += [w for w in re.findall(r"[a-z]+", low) if len(w) > 1 and w not in _FORM_WORDS]
    return tuple(words)


@dataclass(frozen=True)
class Question:
    """What a question asks, read once."""

    text: str
    kind: str | None  # the coarse kind its wording gives: "number", "date", "who"...
    types: dict[str, float]  # P(answer type), by answer_type.TYPES
    terms: dict[str, float]  # content words (stemmed), each with its IDF
    written: dict[str, str]  # each term as the question wrote it, lower-cased
    aliases: dict[str, frozenset[str]]  # each term with the index terms sharing its prefix
    words: frozenset[str]  # every word, lower-cased: an entity made of these is no answer
    unseen: tuple[str, ...]  # names and numbers no article uses
    sources: tuple[str, ...]  # doc_ids of the articles whose outlet or author it names
    about: str | None  # "author", "published" or "updated" when it asks about an article
    focus: frozenset[str] = frozenset()  # the terms of what it asks for (asked_for)

    @cached_property
    def _weighed(self) -> tuple[float, tuple[tuple[frozenset[str], float], ...]]:
        """The terms' total weight, and each term's aliases with its weight (``weight`` is
        asked of some eighty sets a question)."""
        return sum(self.terms.values()), tuple((self.aliases[t], w) for t, w in self.terms.items())

    def weight(self, present: frozenset[str] | set[str]) -> float:
        """The IDF-weighted share of the question's terms in ``present`` (a term counting
        as present when one of its aliases is)."""
        total, weighed = self._weighed
        if not total:
            return 0.0
        return sum(w for aliases, w in weighed if not aliases.isdisjoint(present)) / total


def read_question(corpus: Corpus, text: str, typer: AnswerTyper | None = None) -> Question:
    """Read ``text`` against ``corpus`` (its vocabulary and sources) once."""
    typer = typer or default_typer()
    spelled = corpus.spell_out(text)
    # A word the articles never use gets the highest IDF there is: it is the strongest
    # sign that they do not answer.
    written = content_words(_ASKING.sub(" ", spelled))
    terms = {t: corpus.idf(t) for t in written}
    # Derived forms a stemmer keeps apart ("evacuees", "evacuated") share five letters.
    aliases = {
        t: frozenset([t, *(corpus.terms_with_prefix(t[:5]) if len(t) >= 5 else ())]) for t in terms
    }
    asked = asked_for(text)
    return Question(
        text=text,
        kind=question_kind(spelled),
        types=typer.probabilities(text, asked),
        terms=terms,
        written=written,
        aliases=aliases,
        words=frozenset(re.findall(r"\w+", re.sub(r"['’]s\b", "", text.lower()))),
        unseen=tuple(unseen_names(corpus, text)),
        sources=tuple(sources_named(corpus, text)),
        about=asks_about_article(text),
        focus=frozenset(content_words(" ".join(asked)).keys() & terms.keys()),
    )
