"""What adding one article costs, for an index of N = 5 and N = 5,000 articles.

    .venv/bin/python bench/update.py [--sizes 5 5000] [--workdir /tmp/bench-update]

For each N it builds an index of N article files, then measures:

- a re-run of `qa index` over the unchanged files (a subprocess: Python start-up included);
- adding one new article in process, with the model already loaded (as a running server
  has it): parse and cut, embed, write (one transaction), and reload (`Corpus.load`, what a
  server's watcher thread does on the new generation, off the request path);
- the same add as a `qa index NEW_FILE` subprocess, which also loads the model.

N = 5 is the seed articles, embedded by the real model. The other N - 5 articles are made
from the seeds' sentences, shuffled and each tagged with its article's number, so every
text is new (no vector is shared, no article is a reprint). Embedding them with the real
model would take about an hour on a 2-core CPU, and no cost measured here depends on the
values of their vectors, so those are random unit vectors, stored in the index's vector
cache under the real model's name. The added articles are always embedded by the real
model. Numbers go into bench/RESULTS.md by hand, with the machine.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QA_COMMAND = Path(sys.executable).with_name("qa")
ADDS = 3  # new articles added per N; the median is reported


class RandomVectors:
    """Random unit vectors under the real model's name: for the bulk articles only."""

    def __init__(self) -> None:
        from index.embed import MODEL_DIM, MODEL_NAME

        self.name, self.dim = MODEL_NAME, MODEL_DIM
        self._rng = np.random.default_rng(0)

    def embed(self, texts, progress: bool = False) -> np.ndarray:
        rows = self._rng.normal(size=(len(texts), self.dim))
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def synthetic_articles(n: int, tag: str = "report") -> list[str]:
    """``n`` articles from the seeds' sentences: a seed's headline, then six paragraphs
    of shuffled seed sentences, every sentence tagged with ``tag`` and the article's number
    (about 3,000 characters and 24 texts to embed, like a seed article)."""
    from index import read_article
    from index.chunk import sentences

    seeds = [read_article(p) for p in sorted(SEEDS.glob("*.txt"))]
    pool = [s.text for a in seeds for s in sentences(a)]
    rng = random.Random(0)
    out = []
    for k in range(n):
        picked = rng.sample(pool, 18)
        paragraphs = [
            " ".join(f"In {tag} {k}, {s[0].lower()}{s[1:]}" for s in picked[i : i + 3])
            for i in range(0, len(picked), 3)
        ]
        title = f"{seeds[k % len(seeds)].title} ({tag} {k})"
        out.append(title + "\n\n" + "\n\n".join(paragraphs))
    return out


def build(folder: Path, index_dir: Path, n: int, real) -> None:
    from index import Store, index_paths

    folder.mkdir(parents=True)
    for p in sorted(SEEDS.glob("*.txt")):
        shutil.copy(p, folder / p.name)
    bulk = folder / "bulk"
    bulk.mkdir()
    for k, text in enumerate(synthetic_articles(n - 5)):
        (bulk / f"synthetic-{k:05d}.txt").write_text(text)
    store = Store(index_dir, real.name, real.dim)
    with store.writer():
        index_paths(store, [p for p in folder.iterdir() if p.is_file()], lambda: real)
        if n > 5:
            index_paths(store, [bulk], RandomVectors)
    store.close()


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def add_in_process(index_dir: Path, real, k: int, text: str) -> dict[str, float]:
    from index import Store, parse
    from index.build import embed_missing, entry
    from qa.corpus import Corpus

    store = Store(index_dir, real.name, real.dim)
    with store.writer():
        e, cut = timed(lambda: entry(parse(text, f"bulletin-{k}")))
        embedded, embed = timed(lambda: embed_missing(store, [e], lambda: real, progress=False))
        _, write = timed(lambda: store.write([e]))
    corpus, reload = timed(lambda: Corpus.load(store))
    store.close()
    assert f"bulletin-{k}" in corpus.documents and embedded > 0
    return {"parse+cut": cut, "embed": embed, "write": write, "reload": reload, "texts": embedded}


def cli(*args: str, expect: str) -> float:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    start = time.perf_counter()
    done = subprocess.run(
        [str(QA_COMMAND), "index", *args], env=env, check=True, capture_output=True, text=True
    )
    assert expect in done.stdout, done.stdout
    return time.perf_counter() - start


def bench(n: int, workdir: Path, real) -> None:
    folder, index_dir = workdir / f"n{n}" / "articles", workdir / f"n{n}" / "index"
    shutil.rmtree(workdir / f"n{n}", ignore_errors=True)
    _, built = timed(lambda: build(folder, index_dir, n, real))
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    unchanged = f"0 added, 0 updated, {files} unchanged"
    rerun = statistics.median(
        cli(str(folder), "--index-dir", str(index_dir), expect=unchanged) for _ in range(3)
    )
    *added, extra = synthetic_articles(ADDS + 1, tag="bulletin")
    adds = [add_in_process(index_dir, real, k, text) for k, text in enumerate(added)]
    new = workdir / f"n{n}" / "incoming"
    new.mkdir()
    (new / "bulletin-cli.txt").write_text(extra)
    add_cli = cli(str(new), "--index-dir", str(index_dir), expect="1 added")
    size = sum(p.stat().st_size for p in index_dir.iterdir() if p.is_file())

    def med(key: str) -> float:
        return statistics.median(a[key] for a in adds)

    print(f"\nN = {n} articles (index {size / 2**20:.1f} MiB, built in {built:.0f} s)")
    print(f"  qa index on the unchanged files (subprocess):     {rerun * 1000:7.0f} ms")
    print(
        f"  add one article in process, model loaded ({med('texts'):.0f} texts to embed), "
        f"median of {ADDS}:"
    )
    for key in ("parse+cut", "embed", "write", "reload"):
        print(f"    {key:<10} {med(key) * 1000:9.1f} ms")
    print(f"  qa index NEW_FILE (subprocess, loads the model):  {add_cli * 1000:7.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 5000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/bench-update"))
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    sys.path.insert(0, str(ROOT))
    from index import SentenceTransformerEmbedder

    real, load = timed(SentenceTransformerEmbedder)
    print(f"model load (in process): {load:.1f} s")
    for n in args.sizes:
        assert n >= 5, "N counts the 5 seed articles"
        bench(n, args.workdir, real)


if __name__ == "__main__":
    main()
