"""The lexical index at a million chunks: build, search, filtered search and small writes.

    nice -n 10 .venv/bin/python bench/lexical_scale.py --chunks 1000000

Chunks are 30 terms drawn from a Zipf law (s=1.2) over 60,000 terms, as words of text
fall; written 100,000 per commit. Times a 7-term question from common to rare terms, the
same restricted to random chunks (``only``: a union of term queries and a term set query,
the two forms index/lexical.py chooses between), and ten writes of six chunks each;
with --bm25s, also today's engine on the same chunks.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from tantivy import Occur, Query

from index.lexical import CHUNK, SCHEMA, TERMS, LexicalIndex

QUESTION = (5, 50, 500, 3000, 10000, 20000, 40000)  # its terms' ranks, common to rare


def median_ms(run: Callable[[], object], rounds: int = 10) -> float:
    run()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--chunks", type=int, default=1_000_000)
    p.add_argument("--bm25s", action="store_true", help="also time bm25s on the same chunks")
    args = p.parse_args()
    n, batch = args.chunks, 100_000
    rng = np.random.default_rng(0)
    vocab = [f"t{i}" for i in range(60_000)]
    drawn = np.minimum(rng.zipf(1.2, size=(n, 30)) - 1, len(vocab) - 1)
    tmp = Path(tempfile.mkdtemp(prefix="lexical-scale-"))
    try:
        index = LexicalIndex(tmp / "lexical")
        t0 = time.perf_counter()
        for g, start in enumerate(range(0, n, batch), start=1):
            rows = range(start, min(n, start + batch))
            index.write(((i + 1, [vocab[j] for j in drawn[i]]) for i in rows), [], g)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        index.close(wait_for_merges=True)
        print(
            f"{n} chunks: written in {built:.1f} s ({g} commits), merges after "
            f"{time.perf_counter() - t0:.1f} s more, {len(index.segments())} segments"
        )
        index = LexicalIndex(tmp / "lexical")
        view = index.view()
        question = [vocab[j] for j in QUESTION]
        print(f"search, top 50: {median_ms(lambda: view.search(question, 50)):.2f} ms")
        text = Query.boolean_query(
            [
                (Occur.Should, Query.term_query(SCHEMA, TERMS, w, index_option="freq"))
                for w in question
            ]
        )

        def restricted(among: Query) -> Callable[[], object]:
            query = Query.boolean_query(
                [(Occur.Must, text), (Occur.Must, Query.const_score_query(among, 0.0))]
            )
            return lambda: view._searcher.search(query, 50, count=False)

        for size in (10, 100, 1000, 10_000):
            ids = [int(c) for c in rng.choice(n, size, replace=False) + 1]
            union = Query.boolean_query(
                [(Occur.Should, Query.term_query(SCHEMA, CHUNK, c)) for c in ids]
            )
            term_set = Query.term_set_query(SCHEMA, CHUNK, ids)
            print(
                f"restricted to {size} chunks: union of terms {median_ms(restricted(union)):.2f} ms, "
                f"term set {median_ms(restricted(term_set)):.2f} ms, "
                f"search(only=...) {median_ms(lambda ids=ids: view.search(question, 50, only=ids)):.2f} ms"
            )
        writes, views = [], []
        for g in range(100, 110):
            t0 = time.perf_counter()
            index.write([(n + 10 * g + k, ["t5", "t77", "t900"] * 20) for k in range(6)], [], g)
            t1 = time.perf_counter()
            index.view()
            writes.append((t1 - t0) * 1000)
            views.append((time.perf_counter() - t1) * 1000)
        size = sum(f.stat().st_size for f in (tmp / "lexical").iterdir())
        print(
            f"10 writes of 6 chunks: median {statistics.median(writes):.0f} ms, max "
            f"{max(writes):.0f} ms; new view median {statistics.median(views):.2f} ms; "
            f"{size / 2**20:.0f} MiB on disk"
        )
        index.close(wait_for_merges=False)
    finally:
        shutil.rmtree(tmp)
    if args.bm25s:
        bm25s_at_scale(drawn)


def bm25s_at_scale(drawn: np.ndarray) -> None:
    """Today's engine on the same chunks (term ids from 1; bm25s reserves none)."""
    import bm25s

    t0 = time.perf_counter()
    bm25 = bm25s.BM25()
    bm25.index((drawn + 1).tolist(), show_progress=False)
    built = time.perf_counter() - t0
    question = [t + 1 for t in QUESTION]

    def search() -> object:
        scores = bm25.get_scores(question)
        return np.argpartition(-scores, 49)[:50]

    print(f"bm25s: index {built:.1f} s (each reload), search top 50 {median_ms(search):.2f} ms")


if __name__ == "__main__":
    main()
