"""Fit the answer-type model, the sentence ranker, the reader, the confidence and the
answerability models, in one command.

    python -m eval.calibrate [--squad FILE] [--corpus DIR...] [--questions FILE... --index-dir DIR]
                             [--extra INDEX_DIR=QUESTIONS...] [--workdir DIR] [--write]

Fitted on: SQuAD 2.0 (../shared/squad, its paragraphs indexed as a collection), the seed
questions (eval/questions.jsonl, eval/tuning_questions.jsonl over the seed index), and the
news corpora newsdesk, newsdesk2 and newsdesk3 (each indexed apart); --extra adds sets
over prebuilt indexes (the BBC sets written to fit on: bbc_dev, bbc_fit, bbc_fit2 and
bbc_fit4, over an index of ../shared/corpora/bbc). Never fitted on: the sets in HELD_OUT
(the held-out sets, and bbc_fit3, kept out as the check of the fit); a question to fit on
that shares 60% of its words with one of theirs (questions.near_copies) is left out, and
the fit says how many. eval/bbc_fit5_questions.jsonl and the collections newsdesk5 to
newsdesk12 are written to fit on and not yet fitted on (one fit with them all lost on the
held-out sets; bench/RESULTS.md, "thirteenth").

1. Answer types: a multinomial logistic regression from the question's words, and the
   word vector of what it asks for, to the type of the entity holding its accepted answer
   (spaCy's labels, stored at ingest; fit_types.py). Every later step sees each question
   typed by a model fitted without its fold, as the service sees a new question.
2. The sentence ranker (fit_select.py).
3. The reader (fit_reader.py): a small cross-encoder on the ranker's candidates, cross-
   fitted in two halves of the stories, so the models below weigh readings of questions
   the reader never saw; the reader shipped is fitted on every question.
4. The confidence and answerability models and the decline threshold (fit_select.py):
   the threshold is chosen on each question's answerability under models fitted without
   its story.

The indexes and the fitted readers are cached under --workdir (default var/fit), so a
second run embeds and trains nothing. --write writes calibration.json, answer_types.json
and reader.safetensors in qa/.
"""

from __future__ import annotations

import argparse
import json
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qa import QA, Weights
from qa.answer_type import TYPES_FILE
from qa.corpus import Corpus
from qa.features import candidates
from qa.question import read_question
from qa.reader import READER_FILE
from qa.records import Hit
from qa.retrieve import retrieve
from qa.select import CALIBRATION_FILE

from .fit_reader import cross_fit
from .fit_select import Described, fit_ranker, fit_select
from .fit_types import cross_fitted, fit_types, labelled
from .folds import folds
from .match import contains
from .questions import Question, load_questions, near_copies
from .run import corpus_qa

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "squad" / "train-v2.0-subset.json"
# The sets never fitted on. A question to fit on that is a near copy of one of theirs is
# left out of the fit (question writers repeat themselves, most of all on events outside
# the collection), so that the held-out figures are earned, not learned.
HELD_OUT = tuple(
    ROOT / "eval" / name
    for name in (
        "heldout_questions.jsonl",
        "bbc_heldout_questions.jsonl",
        "bbc_heldout2_questions.jsonl",
        "bbc_heldout3_questions.jsonl",
        "bbc_heldout4_questions.jsonl",
        "bbc_style_questions.jsonl",
        "bbc_fit3_questions.jsonl",
        "corpora/newsdesk4/questions.jsonl",
        "corpora/encyclopedia/questions.jsonl",
    )
)


@dataclass
class Asked:
    """One question asked of its collection: what retrieval found, before any ranking."""

    question: Question
    corpus: Corpus
    query: np.ndarray
    hits: list[Hit]
    news: bool  # from a news set (the threshold is chosen on these)
    collection: str  # names the collection, the same for every set asked of it

    def stories(self) -> list[str]:
        """The articles the question cites, as keys unique across collections."""
        return [f"{self.collection}/{d}" for d in self.question.doc_ids]


def ask_all(
    qa: QA, questions: list[Question], top_k: int, news: bool, collection: str
) -> list[Asked]:
    corpus = qa.corpus
    vectors = qa.embed_questions([q.question for q in questions])
    return [
        Asked(q, corpus, v, retrieve(corpus, q.question, v, top_k=top_k), news, collection)
        for q, v in zip(questions, vectors, strict=True)
    ]


def fit(asked: list[Asked], workdir: Path) -> tuple[Weights, dict, dict, Path]:
    """The answer types, the ranker, the reader, then the confidence and the answerability,
    each on every question, and the threshold on answers from models not fitted on their
    stories; with the file of the reader fitted on every question."""
    typed = labelled([(a.corpus, a.question) for a in asked])  # each answer's type, found once
    types = fit_types(typed)
    fold = folds([a.stories() for a in asked])
    typers = cross_fitted(typed, fold, types["stats"]["C"])
    rows = []
    for a, unseen in zip(asked, typers, strict=True):
        q = read_question(a.corpus, a.question.question, unseen)
        c = candidates(a.corpus, q, a.query, a.hits)
        texts = [a.corpus.text(a.corpus.sentences[i]) for i in c.ids.tolist()]
        labels = np.array(
            [
                a.question.answerable and any(contains(t, x) for x in a.question.answers)
                for t in texts
            ],
            dtype=bool,
        )
        rows.append(Described(a.question, a.corpus, q, c, labels, a.news))
    # The reader's pairs are ordered by the ranker, which does not read the reader.
    rank = fit_ranker(rows)
    reader, readings = cross_fit(rows, rank, fold, workdir)
    rows = [replace(r, reader=read) for r, read in zip(rows, readings, strict=True)]
    weights, stats = fit_select(rows, fold, rank)
    return weights, stats, types, reader


def calibration_text(data: dict) -> str:
    """calibration.json's text: indented, but each of the answerability's trees on one
    line, so that a refit's diff reads tree by tree rather than number by number."""
    trees = (data.get("answerable_trees") or {}).get("trees", [])
    marks = [f"<tree {n}>" for n in range(len(trees))]
    if trees:
        data = {**data, "answerable_trees": {**data["answerable_trees"], "trees": marks}}
    text = json.dumps(data, indent=2)
    for mark, tree in zip(marks, trees, strict=True):
        text = text.replace(json.dumps(mark), json.dumps(tree), 1)
    return text + "\n"


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    here = Path(__file__).parent
    p.add_argument(
        "--questions",
        type=Path,
        nargs="*",
        default=[here / "questions.jsonl", here / "tuning_questions.jsonl"],
        help="question files over the seeds (indexed under --workdir unless --index-dir)",
    )
    p.add_argument("--index-dir", type=Path, default=None, help="a prebuilt index of seeds/")
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="*",
        default=[here / f"corpora/{name}" for name in ("newsdesk", "newsdesk2", "newsdesk3")],
        help="folders of articles with their questions.jsonl, each indexed apart",
    )
    p.add_argument(
        "--extra",
        nargs="*",
        default=[],
        metavar="INDEX_DIR=QUESTIONS",
        help="question files over prebuilt indexes (news sets)",
    )
    p.add_argument("--squad", type=Path, default=SQUAD if SQUAD.exists() else None)
    p.add_argument("--squad-limit", type=int, default=None)
    p.add_argument("--workdir", type=Path, default=ROOT / "var" / "fit")
    p.add_argument("--top-k", type=int, default=5)
    p.add_argument(
        "--write",
        action="store_true",
        help="write calibration.json, answer_types.json and reader.safetensors",
    )
    args = p.parse_args()
    from index import SentenceTransformerEmbedder
    from index.embed import question_embedder

    from .squad import write_corpus

    embedder = SentenceTransformerEmbedder()
    questions_embedder = question_embedder()  # questions are embedded as a server does
    work = args.workdir
    asked: list[Asked] = []
    fitted_on: list[str] = []

    def shown(path: Path) -> str:
        path = path.resolve()
        return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)

    held_out = [q for path in HELD_OUT for q in load_questions(path)]

    def apart(questions: list[Question], source: str) -> list[Question]:
        """``questions`` less the near copies of held-out ones, saying how many went."""
        copies = {q.id for q in near_copies(questions, held_out)}
        if copies:
            print(f"{source}: {len(copies)} near copies of held-out questions left out")
        return [q for q in questions if q.id not in copies]

    if args.questions:
        seeds = args.index_dir
        qa = (
            QA(seeds, embedder=embedder, questions=questions_embedder)
            if seeds
            else corpus_qa(ROOT / "seeds", work / "seeds", embedder, questions_embedder)
        )
        questions = [q for path in args.questions for q in apart(load_questions(path), str(path))]
        asked += ask_all(qa, questions, args.top_k, news=True, collection="seeds")
        fitted_on += [shown(p) for p in args.questions]
    for folder in args.corpus:
        qa = corpus_qa(folder, work / folder.name, embedder, questions_embedder)
        questions = apart(load_questions(folder / "questions.jsonl"), str(folder))
        asked += ask_all(qa, questions, args.top_k, news=True, collection=folder.name)
        fitted_on.append(shown(folder / "questions.jsonl"))
    for pair in args.extra:
        index_dir, questions_file = pair.split("=", 1)
        qa = QA(Path(index_dir), embedder=embedder, questions=questions_embedder)
        questions = apart(load_questions(Path(questions_file)), questions_file)
        # The index is named by its folder's name, not its path: the folds, and so the
        # threshold, come out the same wherever the index was built.
        asked += ask_all(
            qa, questions, args.top_k, news=True, collection=Path(index_dir).resolve().name
        )
        fitted_on.append(shown(Path(questions_file)))
    if args.squad:
        questions = write_corpus(args.squad, work / "squad-articles", args.squad_limit)
        qa = corpus_qa(work / "squad-articles", work / "squad", embedder, questions_embedder)
        asked += ask_all(qa, questions, args.top_k, news=False, collection="squad")
        fitted_on.append(f"SQuAD 2.0 subset ({len(questions)} questions)")

    weights, stats, types, reader = fit(asked, work)
    data = {
        "rank": weights.rank,
        "confidence": weights.confidence,
        "answerable": weights.answerable,
        "answerable_trees": weights.answerable_trees.to_json()
        if weights.answerable_trees
        else None,
        "threshold": weights.threshold,
        "neighbour": weights.neighbour,
        "reread": weights.reread,
        "fitted_on": fitted_on,
        "stats": stats,
    }
    print(calibration_text(data), end="")
    print(json.dumps(types["stats"], indent=2))
    if args.write:
        CALIBRATION_FILE.write_text(calibration_text(data))
        TYPES_FILE.write_text(json.dumps(types, separators=(",", ":"), sort_keys=True) + "\n")
        shutil.copyfile(reader, READER_FILE)


if __name__ == "__main__":
    main()
