"""One `qa index`-style update in a process of its own, for test_crash.py to kill.

Usage: python update_worker.py INDEX_DIR ARTICLES_DIR [hold]

It prints where it is ("embedding", "writing", "in-transaction", "written N E") so the
test can kill it there; with "hold" it stops inside the write transaction, after every
row is written and before the commit, until it is killed.
"""

import importlib.util
import sys
import time
from pathlib import Path

from index import Store, index_paths

_spec = importlib.util.spec_from_file_location(
    "conftest", Path(__file__).resolve().parents[1] / "conftest.py"
)
_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
FakeEmbedder = _conftest.FakeEmbedder


def say(what: str) -> None:
    print(what, flush=True)


class Slow(FakeEmbedder):
    def embed(self, texts, progress=False):
        say("embedding")
        time.sleep(0.05)
        return super().embed(texts, progress)


class Announcing(Store):
    hold = False

    def write(self, *args, **kwargs):
        say("writing")
        return super().write(*args, **kwargs)

    def _detect_duplicates(self, *args):
        decided = super()._detect_duplicates(*args)
        say("in-transaction")
        while self.hold:
            time.sleep(1)
        return decided


def main() -> None:
    index_dir, articles = Path(sys.argv[1]), Path(sys.argv[2])
    embedder = Slow()
    store = Announcing(index_dir, embedder.name, embedder.dim)
    store.hold = sys.argv[3:] == ["hold"]
    with store.writer():
        report = index_paths(store, [articles], lambda: embedder)
    say(f"written {report.generation} {report.embedded}")


if __name__ == "__main__":
    main()
