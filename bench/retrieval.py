"""First-stage retrieval alone, per retriever: recall@1, recall@5 and MRR@5 of the passages
that retrieval returns, before answer selection reorders them.

    .venv/bin/python bench/retrieval.py --index-dir DIR --questions FILE

`qa eval` scores the passages a response shows, which put the ones holding the cited
sentences first; this isolates the retrievers, to compare dense, BM25 and their fusion.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from eval import contains, load_questions
from qa import QA
from qa.retrieve import MODES, retrieve


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--index-dir", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--top-k", type=int, default=5)
    args = p.parse_args()
    qa = QA(args.index_dir)
    questions = [q for q in load_questions(args.questions) if q.answerable]
    vectors = {q.id: qa.embed_question(q.question) for q in questions}
    print(f"{args.questions}: {len(questions)} answerable questions, top {args.top_k}")
    for mode in MODES:
        ranks = []
        for q in questions:
            hits = retrieve(qa.corpus, q.question, vectors[q.id], args.top_k, mode)
            holds = [any(contains(h.text, a) for a in q.answers) for h in hits]
            ranks.append(holds.index(True) + 1 if True in holds else None)
        n = len(ranks)
        r1 = sum(r == 1 for r in ranks) / n
        r5 = sum(r is not None for r in ranks) / n
        mrr = sum(1 / r for r in ranks if r) / n
        print(f"  {mode:7s} recall@1 {r1:.3f}  recall@{args.top_k} {r5:.3f}  MRR {mrr:.3f}")
    qa.close()


if __name__ == "__main__":
    main()
