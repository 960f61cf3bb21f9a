"""Lexical search: tantivy (index/lexical.py) against today's bm25s (qa/corpus.py), on the
same chunks and the same questions.

    nice -n 10 .venv/bin/python bench/lexical.py --index-dir DIR \
        --questions eval/bbc_heldout_questions.jsonl eval/bbc_dev_questions.jsonl

Reads the chunks of the index at DIR (read-only) and builds, in a temporary folder:
  bm25s              the index before tantivy: bm25s's Tokenizer with our stemmer, bm25s.BM25()
  tantivy            index.terms.stems of each chunk (question words dropped too), as the
                     lexical index will be written; questions as stems(question)
  tantivy-bm25s-terms  the very terms bm25s indexes, to tell the engine's share of any
                     difference from the normalisation's
Then reports build time, per-question search time, how far the top 50 agree with bm25s's,
and recall@5/@50 of the article named by the question (any chunk of one of its doc_ids)
and of a passage holding an accepted answer; then the cost of small appended writes.
Abbreviations are not spelt out (Corpus.spell_out): the same question goes to every engine.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from bm25s.tokenization import Tokenizer

from eval import contains, load_questions
from eval.questions import Question
from index.lexical import LexicalIndex, LexicalView
from index.terms import stems, term

DEPTH = 50  # qa/retrieve.py's depth for each retriever before fusion


@dataclass(frozen=True)
class Chunks:
    ids: list[int]  # SQLite rowids
    doc_ids: list[str]
    texts: list[str]


def read_chunks(index_dir: Path) -> Chunks:
    uri = f"file:{(index_dir / 'index.sqlite3').resolve()}?mode=ro"
    db = sqlite3.connect(uri, uri=True)
    rows = db.execute(
        'SELECT c.rowid, c.doc_id, substr(d.text, c.start + 1, c."end" - c.start) '
        "FROM chunks c JOIN documents d USING (doc_id) ORDER BY c.doc_id, c.ordinal"
    ).fetchall()
    db.close()
    return Chunks([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])


Search = Callable[[str, int], list[int]]  # question, k -> chunk ids, best first


class Bm25s:
    """Today's lexical index, built as Corpus.load builds it and searched as
    qa/retrieve.py searches it."""

    def __init__(self, chunks: Chunks) -> None:
        term.cache_clear()
        t0 = time.perf_counter()
        self.tokens = Tokenizer(stemmer=term, stopwords="en")
        ids = self.tokens.tokenize(
            chunks.texts, update_vocab=True, return_as="ids", show_progress=False
        )
        t1 = time.perf_counter()
        self.bm25 = bm25s.BM25()
        self.bm25.index(ids, show_progress=False)
        self.times = {"tokenise": t1 - t0, "index": time.perf_counter() - t1}
        self.rowid = np.array(chunks.ids)
        self.words = {v: k for k, v in self.tokens.get_vocab_dict().items()}
        self.chunk_terms = [[self.words[t] for t in doc if t != 0] for doc in ids]

    def question_ids(self, question: str) -> list[int]:
        found = self.tokens.tokenize(
            [question], update_vocab=False, return_as="ids", show_progress=False
        )
        return [t for t in found[0] if t != 0]

    def question_terms(self, question: str) -> list[str]:
        return [self.words[t] for t in self.question_ids(question)]

    def search(self, question: str, k: int, rows: np.ndarray | None = None) -> list[int]:
        """The top ``k`` chunk ids; with ``rows``, among those rows only, as a narrowed
        corpus does (qa/narrow.py): every chunk scored, then its own rows kept."""
        terms = self.question_ids(question)
        if not terms:
            return []
        scores = self.bm25.get_scores(terms)
        rowid = self.rowid
        if rows is not None:
            scores, rowid = scores[rows], rowid[rows]
        k = min(k, len(scores))
        best = np.argpartition(-scores, k - 1)[:k]
        best = best[np.lexsort((best, -scores[best]))]  # as qa/retrieve.py: ties by position
        return rowid[best[scores[best] > 0]].tolist()


def build_tantivy(
    folder: Path, chunks: Chunks, terms_of: Callable[[int], list[str]]
) -> tuple[LexicalIndex, dict[str, float]]:
    term.cache_clear()
    t0 = time.perf_counter()
    terms = [terms_of(i) for i in range(len(chunks.ids))]
    t1 = time.perf_counter()
    index = LexicalIndex(folder)
    index.write(zip(chunks.ids, terms, strict=True), [], generation=1)
    t2 = time.perf_counter()
    return index, {"tokenise": t1 - t0, "index": t2 - t1}


def timed(search: Search, questions: list[Question], rounds: int) -> tuple[dict, list[float]]:
    """Each question's top DEPTH, and its median time over ``rounds`` (after one warm-up)."""
    results = {q.id: search(q.question, DEPTH) for q in questions}
    per_question = []
    for q in questions:
        runs = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            search(q.question, DEPTH)
            runs.append(time.perf_counter() - t0)
        per_question.append(statistics.median(runs))
    return results, per_question


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def overlap(a: list[int], b: list[int], k: int) -> float:
    a, b = a[:k], b[:k]
    return len(set(a) & set(b)) / max(len(a), len(b)) if a or b else 1.0


def recall(
    results: dict[str, list[int]], questions: list[Question], chunks: Chunks, k: int
) -> tuple[float, float]:
    """The share of answerable questions whose top ``k`` holds a chunk of an article they
    name, and a chunk holding an accepted answer."""
    where = {c: i for i, c in enumerate(chunks.ids)}
    answerable = [q for q in questions if q.answerable]
    article = passage = 0
    for q in answerable:
        top = [where[c] for c in results[q.id][:k]]
        article += any(chunks.doc_ids[i] in q.doc_ids for i in top)
        passage += any(contains(chunks.texts[i], a) for i in top for a in q.answers)
    return article / len(answerable), passage / len(answerable)


def appends(index: LexicalIndex, chunks: Chunks, writes: int, seed: int = 0) -> None:
    """Replace one article's chunks per write, as an update of one article would."""
    by_doc: dict[str, list[int]] = {}
    for i, d in enumerate(chunks.doc_ids):
        by_doc.setdefault(d, []).append(i)
    docs = random.Random(seed).sample(sorted(by_doc), writes)
    write_times, view_times = [], []
    for g, d in enumerate(docs, start=2):
        rows = by_doc[d]
        t0 = time.perf_counter()
        index.write([(chunks.ids[i], stems(chunks.texts[i])) for i in rows], [], generation=g)
        t1 = time.perf_counter()
        view = index.view()
        view_times.append(time.perf_counter() - t1)
        write_times.append(t1 - t0)
    index.close(wait_for_merges=True)
    segments = index.segments()
    size = sum(f.stat().st_size for f in index.directory.iterdir())
    ms = [t * 1000 for t in write_times]
    print(
        f"\n{writes} writes of one article each (its chunks replaced, one commit each): "
        f"write median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms; new view "
        f"median {statistics.median(view_times) * 1000:.2f} ms; then {len(segments)} segments, "
        f"{sum(s.deleted for s in segments)} deleted documents waiting for a merge, "
        f"{size / 2**20:.1f} MiB on disk, {view.num_docs} chunks"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--questions", type=Path, nargs="+", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only-articles", type=int, nargs="+", default=[5, 100])
    p.add_argument("--writes", type=int, default=20)
    args = p.parse_args()

    chunks = read_chunks(args.index_dir)
    print(f"{args.index_dir}: {len(chunks.ids)} chunks of {len(set(chunks.doc_ids))} articles")
    with tempfile.TemporaryDirectory(prefix="lexical-bench-") as tmp:
        today = Bm25s(chunks)
        ours, ours_times = build_tantivy(
            Path(tmp) / "stems", chunks, lambda i: stems(chunks.texts[i])
        )
        same, same_times = build_tantivy(
            Path(tmp) / "bm25s-terms", chunks, today.chunk_terms.__getitem__
        )
        ours_view, same_view = ours.view(), same.view()
        engines: dict[str, tuple[Search, dict[str, float]]] = {
            "bm25s": (today.search, today.times),
            "tantivy": (lambda q, k: [c for c, _ in ours_view.search(stems(q), k)], ours_times),
            "tantivy-bm25s-terms": (
                lambda q, k: [c for c, _ in same_view.search(today.question_terms(q), k)],
                same_times,
            ),
        }
        print("\nbuild (s): engine  tokenise  index  total")
        for name, (_, t) in engines.items():
            print(f"  {name:20s} {t['tokenise']:.2f}  {t['index']:.2f}  {sum(t.values()):.2f}")

        for path in args.questions:
            questions = load_questions(path)
            n_ans = sum(q.answerable for q in questions)
            print(f"\n{path}: {len(questions)} questions ({n_ans} answerable), top {DEPTH}")
            print(
                "  engine               search median/p95 ms  overlap@5/@50 with bm25s  "
                "article recall@5/@50  passage recall@5/@50"
            )
            base: dict[str, list[int]] = {}
            for name, (search, _) in engines.items():
                results, seconds = timed(search, questions, args.rounds)
                base = base or results
                ms = [s * 1000 for s in seconds]
                o5 = statistics.mean(overlap(base[q.id], results[q.id], 5) for q in questions)
                o50 = statistics.mean(overlap(base[q.id], results[q.id], 50) for q in questions)
                a5, p5 = recall(results, questions, chunks, 5)
                a50, p50 = recall(results, questions, chunks, 50)
                print(
                    f"  {name:20s} {statistics.median(ms):6.2f} / {p95(ms):6.2f}"
                    f"           {o5:.3f} / {o50:.3f}            {a5:.3f} / {a50:.3f}"
                    f"          {p5:.3f} / {p50:.3f}"
                )
            for articles in args.only_articles:
                only_search(today, ours_view, chunks, questions, articles, args.rounds)

        appends(ours, chunks, args.writes)
        same.close()


def only_search(
    today: Bm25s,
    view: LexicalView,
    chunks: Chunks,
    questions: list[Question],
    articles: int,
    rounds: int,
) -> None:
    """Search restricted to the chunks of ``articles`` random articles (those a filtered
    question keeps): bm25s scores everything, then keeps their rows; tantivy filters."""
    docs = random.Random(1).sample(sorted(set(chunks.doc_ids)), articles)
    keep = set(docs)
    rows = np.array([i for i, d in enumerate(chunks.doc_ids) if d in keep])
    ids = {chunks.ids[i] for i in rows}
    engines = {
        "bm25s": lambda q, k: today.search(q, k, rows),
        "tantivy": lambda q, k: [c for c, _ in view.search(stems(q), k, only=ids)],
    }
    line = []
    for name, search in engines.items():
        _, seconds = timed(search, questions, rounds)
        ms = [s * 1000 for s in seconds]
        line.append(f"{name} {statistics.median(ms):.2f} / {p95(ms):.2f}")
    print(
        f"  restricted to {articles} articles ({len(rows)} chunks), median/p95 ms: "
        + "; ".join(line)
    )


if __name__ == "__main__":
    main()
