"""Writes generation after generation to a lexical index until killed, for test_lexical.py.

Usage: python lexical_worker.py INDEX_DIR

Generation g adds chunks 100g .. 100g+99 and deletes those of generation g-2 (see
``expected``), and prints "committed g" once its write returns.
"""

import sys
from pathlib import Path

from index.lexical import LexicalIndex

PER_GENERATION = 100


def chunks_of(generation: int) -> list[int]:
    return list(range(PER_GENERATION * generation, PER_GENERATION * (generation + 1)))


def expected(generation: int) -> set[int]:
    """The chunks the index holds once ``generation`` is committed."""
    return {c for g in (generation - 1, generation) if g >= 1 for c in chunks_of(g)}


def terms(chunk: int) -> list[str]:
    return ["common", f"own{chunk}"] + [f"filler{chunk % 97}"] * 50


def main(directory: Path) -> None:
    index = LexicalIndex(directory)
    generation = index.committed_generation()
    while True:
        generation += 1
        deletes = chunks_of(generation - 2) if generation > 2 else []
        index.write([(c, terms(c)) for c in chunks_of(generation)], deletes, generation)
        print("committed", generation, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
