"""SQuAD 2.0 as a collection to fit on: each paragraph an article, each question with its
accepted answers (and the unanswerable ones with none).

SQuAD's questions were written by crowd workers who never saw this service, about
Wikipedia articles no judged set uses, so they train the answer-type model, the ranker and
the confidence model on far more questions than the team can write.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from .questions import Question


def write_corpus(squad_file: Path, folder: Path, limit: int | None = None, seed: int = 0):
    """Write each paragraph of ``squad_file`` to ``folder`` as an article (its Wikipedia
    title on the first line) and return its questions (at most ``limit``, drawn at random
    with ``seed``, unanswerable ones kept in their share)."""
    data = json.loads(Path(squad_file).read_text(encoding="utf-8"))["data"]
    folder.mkdir(parents=True, exist_ok=True)
    questions: list[Question] = []
    for a, article in enumerate(data):
        title = article["title"].replace("_", " ")
        slug = re.sub(r"\W+", "_", title.lower()).strip("_")[:40]
        for p, paragraph in enumerate(article["paragraphs"]):
            doc_id = f"{a:02d}_{slug}_{p:03d}"
            path = folder / f"{doc_id}.txt"
            text = f"{title}\n\n{paragraph['context'].strip()}\n"
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            for qa in paragraph["qas"]:
                answers = tuple(dict.fromkeys(x["text"].strip() for x in qa["answers"]))
                answerable = not qa.get("is_impossible", False) and bool(answers)
                questions.append(
                    Question(
                        id=qa["id"],
                        question=qa["question"].strip(),
                        answers=answers if answerable else (),
                        doc_ids=(doc_id,) if answerable else (),
                        answerable=answerable,
                    )
                )
    if limit is not None and limit < len(questions):
        questions = random.Random(seed).sample(questions, limit)
    return [q for q in questions if q.question]
