"""The question file: one JSON object a line (see eval/FORMAT.md)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qa.terms import STOPWORDS


class BadQuestions(ValueError):
    """A question file that cannot be read; the message names the line and what to fix."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answers: tuple[str, ...]
    doc_ids: tuple[str, ...]
    answerable: bool


def load_questions(path: Path) -> list[Question]:
    """Read and check a question file."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise BadQuestions(f"{path}: cannot read ({e.strerror})") from e
    out, seen = [], set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise BadQuestions(f"{where}: not JSON ({e.msg})") from e
        if not isinstance(raw, dict):
            raise BadQuestions(f"{where}: expected a JSON object")
        missing = {"id", "question", "answerable"} - raw.keys()
        if missing:
            raise BadQuestions(f"{where}: missing {', '.join(sorted(missing))}")
        answers = raw.get("answers", [])
        doc_ids = raw.get("doc_ids", [])
        if not isinstance(answers, list) or not all(
            isinstance(a, str) and a.strip() for a in answers
        ):
            raise BadQuestions(f"{where}: answers must be a list of non-empty strings")
        if not isinstance(doc_ids, list) or not all(isinstance(d, str) for d in doc_ids):
            raise BadQuestions(f"{where}: doc_ids must be a list of strings")
        if raw["answerable"] is True and not answers:
            raise BadQuestions(
                f"{where}: an answerable question needs at least one accepted answer"
            )
        if raw["answerable"] not in (True, False):
            raise BadQuestions(f"{where}: answerable must be true or false")
        if not str(raw["question"]).strip():
            raise BadQuestions(f"{where}: the question is empty")
        if raw["id"] in seen:
            raise BadQuestions(f"{where}: id {raw['id']!r} is used twice")
        seen.add(raw["id"])
        out.append(
            Question(
                str(raw["id"]),
                str(raw["question"]),
                tuple(answers),
                tuple(doc_ids),
                bool(raw["answerable"]),
            )
        )
    if not out:
        raise BadQuestions(f"{path}: no questions")
    return out


_WORDS = re.compile(r"\w+")
# What a question asks for tells two questions on one story apart ("When did Grenell meet
# Maduro?", "Where did Grenell meet Maduro?"), so these words count though stop words.
_ASKING = frozenset(
    ["what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much"]
)


def _content_words(text: str) -> frozenset[str]:
    words = _WORDS.findall(text.lower())
    return frozenset(w for w in words if w not in STOPWORDS or w in _ASKING)


def near_copies(
    questions: Iterable[Question], others: Iterable[Question], share: float = 0.6
) -> list[Question]:
    """The ``questions`` that share at least ``share`` of their words (the two questions'
    words together, stop words aside but what they ask for kept) with one of ``others``:
    written apart, but the same question ("Which film won best picture at the 2008 Academy
    Awards?" in a set to fit on, the 2010 one in a held-out set)."""
    seen = [w for o in others if (w := _content_words(o.question))]
    out = []
    for q in questions:
        words = _content_words(q.question)
        if words and any(len(words & w) >= share * len(words | w) for w in seen):
            out.append(q)
    return out
