"""Declines that need no calibration: the articles plainly cannot answer.

The question names something no article mentions; it asks for a count, a date or a
measurement and the best sentence holds none; or it asks for a name and the best sentence
gives none.

A decline whose best sentence says that what was asked is not known ("Grenell did not
name the six men") quotes that sentence as its reason. That reading words a decline and
decides none: as a decline of its own it changed no answer once the reader weighed in the
answerability (bench/rules.py, the ninth session).
"""

from __future__ import annotations

import re

from .corpus import Corpus
from .kinds import MEASURED
from .question import Question
from .select import Decision

# A sentence saying that what was asked is not known or not given out.
_NOT_KNOWN = re.compile(
    r"\b(did|does|do|would|could|has|have|had|was|were|is|are)(n[’']t| not)( yet)?"
    r" (name|identify|disclose|reveal|say|specify|release|confirm|comment|give details)\b"
    r"|\b(declined|refused) to (name|identify|disclose|say|comment|give|specify|confirm)\b"
    r"|\b(not|never) (been )?(named|identified|disclosed|released|made public)\b"
    r"|\b(unclear|not clear|unknown|not known)\b",
    re.I,
)


NOT_KNOWN = "the articles say this is not known"
# Asked in so many words for a name ("What is the name of…", "Who was the victim named…").
_ASKS_NAME = re.compile(r"\bnames?\b|\bnamed\b|\bidentity\b|\bidentif", re.I)


def ruled_out(q: Question, d: Decision) -> str | None:
    """Why the articles plainly cannot answer, whatever the confidence, or None."""
    if q.unseen:
        return f"the articles never mention {', '.join(q.unseen)}"
    kind, question = q.kind, q.text
    if d.features["kind_missing"]:
        if kind in MEASURED:
            return f"the articles give no {kind} for this"
        if kind == "who" and _ASKS_NAME.search(question):
            return "the articles give no name for this"
    return None


def says_not_known(corpus: Corpus, d: Decision) -> bool:
    """The answer's sentences say that what was asked is not known, and hold nothing of the
    kind asked for: a decline then quotes them, under NOT_KNOWN."""
    text = " ".join(corpus.text(corpus.sentences[i]) for i in d.chosen)
    return bool(d.features["kind_missing"]) and bool(_NOT_KNOWN.search(text))
