"""Fit the answer-type model, the sentence ranker and the confidence model, in one command.

    python -m eval.calibrate [--squad FILE] [--corpus DIR...] [--questions FILE... --index-dir DIR]
                             [--extra INDEX_DIR=QUESTIONS...] [--workdir DIR] [--write]

Fitted on: SQuAD 2.0 (../shared/squad, its paragraphs indexed as a collection), the seed
questions (eval/questions.jsonl, eval/tuning_questions.jsonl over the seed index), and the
news corpora newsdesk, newsdesk2 and newsdesk3 (each indexed apart); --extra adds sets
over prebuilt indexes (the BBC development set). Never fitted on: the held-out sets
(eval/heldout_questions.jsonl, eval/bbc_heldout_questions.jsonl,
eval/bbc_heldout2_questions.jsonl, eval/bbc_heldout3_questions.jsonl, eval/corpora/newsdesk4,
eval/corpora/encyclopedia).

1. Answer types: a multinomial logistic regression from the question's words to the type
   of the entity holding its accepted answer (spaCy's labels, stored at ingest).
2. Ranking: a conditional logit (softmax over each question's candidate sentences) over
   RANK_FEATURES, maximising the probability of the sentences that hold an accepted answer.
3. Confidence: a logistic regression over CONFIDENCE_FEATURES of the answer served,
   labelled by whether it is right (never, for unanswerable questions). The threshold is
   the one that declines the most unanswerable news questions while wrongly declining at
   most MAX_WRONG_DECLINE of the answerable ones.

The indexes are cached under --workdir (default var/fit), so a second run embeds nothing.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from qa import QA, Weights
from qa.answer_type import TYPES_FILE
from qa.corpus import Corpus
from qa.declines import ruled_out
from qa.features import RANK_FEATURES, candidates
from qa.question import read_question
from qa.records import Hit
from qa.retrieve import retrieve
from qa.select import CALIBRATION_FILE, CONFIDENCE_FEATURES, confidence, decide

from .fit_types import fit_types
from .match import contains
from .questions import Question, load_questions
from .run import corpus_qa

# In-sample; held-out sets wrongly decline about twice as often as the sets fitted on.
MAX_WRONG_DECLINE = 0.05
RANK_L2 = 1e-4  # on the mean loss per question
CONFIDENCE_C = 1.0
ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT.parent / "shared" / "squad" / "train-v2.0-subset.json"


@dataclass
class Asked:
    """One question asked of its collection: what retrieval found, before any ranking."""

    question: Question
    corpus: Corpus
    query: np.ndarray
    hits: list[Hit]
    news: bool  # from a news set (the threshold is chosen on these)


def ask_all(qa: QA, questions: list[Question], top_k: int, news: bool) -> list[Asked]:
    corpus = qa.corpus
    vectors = qa.embed_questions([q.question for q in questions])
    return [
        Asked(q, corpus, v, retrieve(corpus, q.question, v, top_k=top_k), news)
        for q, v in zip(questions, vectors, strict=True)
    ]


def _listwise(
    groups: list[tuple[np.ndarray, np.ndarray, float]], l2: float = RANK_L2
) -> np.ndarray:
    """Weights maximising, per question, the (weighted) softmax probability of its right
    sentences."""
    mass = sum(g for _, _, g in groups)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = l2 * float(w @ w), 2 * l2 * w
        for X, right, g in groups:
            s = X @ w
            e = np.exp(s - s.max())
            p = e / e.sum()
            p_right = e * right / (e * right).sum()
            total -= g * float(np.log((e * right).sum() / e.sum())) / mass
            grad = grad + g * (p @ X - p_right @ X) / mass
        return total, grad

    return minimize(loss, np.ones(len(RANK_FEATURES)), jac=True, method="L-BFGS-B").x


def fit(asked: list[Asked]) -> tuple[Weights, dict, dict]:
    """The answer types, then the ranker, then the confidence, each on every question."""
    typer, types = fit_types([(a.corpus, a.question) for a in asked])
    rows = []
    for a in asked:
        q = read_question(a.corpus, a.question.question, typer)
        c = candidates(a.corpus, q, a.query, a.hits)
        texts = [a.corpus.text(a.corpus.sentences[i]) for i in c.ids.tolist()]
        labels = np.array(
            [
                a.question.answerable and any(contains(t, x) for x in a.question.answers)
                for t in texts
            ]
        )
        rows.append((a, q, c, labels))
    ranked = [(a, c, y) for a, _, c, y in rows if y.any() and not y.all()]
    # The news questions weigh as much in all as SQuAD's many: they are what is served,
    # and a news question restates its story where SQuAD's echo one sentence.
    n_news = sum(a.news for a, _, _ in ranked)
    boost = max(len(ranked) - n_news, 1) / max(n_news, 1)
    groups = [(c.features, y.astype(float), boost if a.news else 1.0) for a, c, y in ranked]
    rank = dict(zip(RANK_FEATURES, _listwise(groups).round(4).tolist(), strict=True))
    weights = Weights(rank=rank)

    feats, right, news, answerable = [], [], [], []
    for a, q, c, _ in rows:
        if not len(c.ids) or q.about:
            continue
        d = decide(a.corpus, q, c, weights)
        if ruled_out(a.corpus, q, d):
            continue  # the service's rules decide these, not the confidence
        feats.append([d.features[k] for k in CONFIDENCE_FEATURES])
        text = " ".join(a.corpus.text(a.corpus.sentences[i]) for i in d.chosen)
        right.append(a.question.answerable and any(contains(text, x) for x in a.question.answers))
        news.append(a.news)
        answerable.append(a.question.answerable)
    F, r, is_news = np.array(feats), np.array(right), np.array(news)
    # The news questions weigh as much in all as SQuAD's many: they are what is served.
    sample = np.where(is_news, max((~is_news).sum(), 1) / max(is_news.sum(), 1), 1.0)
    mu, sigma = F.mean(axis=0), F.std(axis=0) + 1e-9
    model = LogisticRegression(C=CONFIDENCE_C, max_iter=2000)
    model.fit((F - mu) / sigma, r, sample_weight=sample)
    coef = model.coef_[0] / sigma
    conf = dict(zip(CONFIDENCE_FEATURES, coef.round(4).tolist(), strict=True))
    conf["bias"] = round(float(model.intercept_[0] - (model.coef_[0] * mu / sigma).sum()), 4)
    weights = Weights(rank=rank, confidence=conf)

    probs = np.array(
        [confidence(dict(zip(CONFIDENCE_FEATURES, f, strict=True)), weights) for f in F]
    )
    ans = np.array(answerable) & is_news
    unans = ~np.array(answerable) & is_news
    best_t, best_declined = 0.5, -1.0
    for t in np.arange(0.05, 0.95, 0.01):
        wrong = float(np.mean(probs[ans] < t)) if ans.any() else 0.0
        declined = float(np.mean(probs[unans] < t)) if unans.any() else 0.0
        if wrong <= MAX_WRONG_DECLINE and declined > best_declined:
            best_t, best_declined = float(t), declined
    weights = Weights(rank=rank, confidence=conf, threshold=round(best_t, 2))
    top1 = [bool(y[int(np.argmax(c.scores(rank)))]) for _, _, c, y in rows if y.any()]
    stats = {
        "questions": len(rows),
        "news_questions": int(sum(a.news for a in asked)),
        "ranking_questions": len(groups),
        "confidence_questions": len(F),
        "top1_right_when_retrieved": round(float(np.mean(top1)), 3) if top1 else 0.0,
        "threshold": weights.threshold,
        "news_unanswerable_declined": round(best_declined, 3),
        "news_answerable_wrongly_declined": round(float(np.mean(probs[ans] < best_t)), 3),
    }
    return weights, stats, types


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
        "--write", action="store_true", help="write calibration.json and answer_types.json"
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

    if args.questions:
        seeds = args.index_dir
        qa = (
            QA(seeds, embedder=embedder, questions=questions_embedder)
            if seeds
            else corpus_qa(ROOT / "seeds", work / "seeds", embedder, questions_embedder)
        )
        questions = [q for path in args.questions for q in load_questions(path)]
        asked += ask_all(qa, questions, args.top_k, news=True)
        fitted_on += [shown(p) for p in args.questions]
    for folder in args.corpus:
        qa = corpus_qa(folder, work / folder.name, embedder, questions_embedder)
        asked += ask_all(qa, load_questions(folder / "questions.jsonl"), args.top_k, news=True)
        fitted_on.append(shown(folder / "questions.jsonl"))
    for pair in args.extra:
        index_dir, questions_file = pair.split("=", 1)
        qa = QA(Path(index_dir), embedder=embedder, questions=questions_embedder)
        asked += ask_all(qa, load_questions(Path(questions_file)), args.top_k, news=True)
        fitted_on.append(shown(Path(questions_file)))
    if args.squad:
        questions = write_corpus(args.squad, work / "squad-articles", args.squad_limit)
        qa = corpus_qa(work / "squad-articles", work / "squad", embedder, questions_embedder)
        asked += ask_all(qa, questions, args.top_k, news=False)
        fitted_on.append(f"SQuAD 2.0 subset ({len(questions)} questions)")

    weights, stats, types = fit(asked)
    data = {
        "rank": weights.rank,
        "confidence": weights.confidence,
        "threshold": weights.threshold,
        "neighbour": weights.neighbour,
        "fitted_on": fitted_on,
        "stats": stats,
    }
    print(json.dumps(data, indent=2))
    print(json.dumps(types["stats"], indent=2))
    if args.write:
        CALIBRATION_FILE.write_text(json.dumps(data, indent=2) + "\n")
        TYPES_FILE.write_text(json.dumps(types, separators=(",", ":"), sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
