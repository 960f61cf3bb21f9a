"""The lexical index: BM25 over chunks that are added and deleted by commits, each of which
records its generation; views that hold still; and a clear error for a folder it cannot use."""

import json
import math
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tantivy

from index import IndexBusy, IndexCorrupt, IndexMismatch, IndexMissing
from index.lexical import FEW, LexicalIndex
from index.terms import stems

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("lexical_worker.py")

CHUNKS = {
    1: "The council met on Monday to discuss the budget.",
    2: "Residents asked the council for a new library in the old town centre.",
    3: "The library opens on Monday, the mayor said.",
    4: "Floods closed the road to the station.",
}


def adds(chunks: dict[int, str]) -> list[tuple[int, list[str]]]:
    return [(c, stems(text)) for c, text in chunks.items()]


@pytest.fixture
def lexical(tmp_path):
    index = LexicalIndex(tmp_path / "lexical")
    index.write(adds(CHUNKS), [], generation=1)
    yield index
    index.close()


def ids(hits: list[tuple[int, float]]) -> list[int]:
    return [c for c, _ in hits]


def test_a_new_index_is_at_generation_0_and_finds_nothing(tmp_path):
    index = LexicalIndex(tmp_path / "new")
    view = index.view()
    assert (index.committed_generation(), view.generation, view.num_docs) == (0, 0, 0)
    assert view.search(stems("council"), 5) == []
    assert view.doc_freq("council") == 0


def test_chunks_are_ranked_by_bm25_over_the_normalised_terms(lexical):
    view = lexical.view()
    # "meets" and "met" share a term (lemma, then stem); chunk 1 also holds "budget".
    assert ids(view.search(stems("When does the council meet about the budget?"), 5)) == [1, 2]
    hits = view.search(stems("library on Monday"), 5)
    assert ids(hits) == [3, 1, 2]  # both terms first, then the shorter chunk
    assert hits[0][1] > hits[1][1] > hits[2][1] > 0
    assert view.search(stems("volcano"), 5) == []
    assert ids(view.search(stems("library on Monday"), 1)) == [3]


def test_a_term_given_twice_counts_twice_as_in_bm25s(lexical):
    view = lexical.view()
    [(_, once)] = view.search(["flood"], 5)
    [(_, twice)] = view.search(["flood", "flood"], 5)
    assert math.isclose(twice, 2 * once, rel_tol=1e-6)


def test_doc_freq_and_num_docs_count_chunks_only(lexical):
    view = lexical.view()
    assert view.num_docs == 4  # not the document that records the generation
    assert [view.doc_freq(t) for t in ("council", "librari", "monday", "volcano")] == [2, 2, 2, 0]


def test_deletes_remove_chunks_and_an_add_replaces_a_chunk_of_its_id(lexical):
    lexical.write(adds({2: "Floods reached the library."}), [1], generation=2)
    view = lexical.view()
    assert view.generation == 2 and view.num_docs == 3
    assert ids(view.search(stems("council budget"), 5)) == []
    assert ids(view.search(stems("floods"), 5)) == [2, 4]
    assert view.search(stems("residents"), 5) == []  # chunk 2's old words are gone
    assert view.doc_freq("council") == 2  # until a merge drops the deleted chunks


def test_a_view_answers_from_its_commit_while_later_writes_commit(lexical):
    before = lexical.view()
    question = stems("library on Monday")
    answer = before.search(question, 5)
    lexical.write(adds({5: "A second library opened on Monday."}), [3], generation=2)
    lexical.write(adds({6: "Library, library, library."}), [], generation=3)
    assert before.search(question, 5) == answer
    assert (before.generation, before.num_docs) == (1, 4)
    after = lexical.view()
    assert after.generation == 3 and 3 not in ids(after.search(question, 5))
    assert ids(after.search(question, 5))[:2] == [5, 6]  # both words beat one thrice


def test_only_restricts_the_search_to_those_chunks_with_their_own_scores(lexical):
    view = lexical.view()
    question = stems("library on Monday")
    everywhere = dict(view.search(question, 5))
    among = view.search(question, 5, only={2, 4})
    assert among == [(2, everywhere[2])]
    assert ids(view.search(question, 1, only=[1, 2])) == [1]
    assert view.search(question, 5, only=set()) == []
    assert view.search(question, 5, only={99}) == []
    many = set(range(100, 100 + FEW)) | {2, 4}  # past FEW: a term set query
    assert view.search(question, 5, only=many) == among
    assert view.search(question, 5, only=np.array([2, 4])) == among  # rowids from numpy


def test_the_index_reopens_with_its_chunks_and_generation(lexical, tmp_path):
    lexical.write(adds({5: "Floods again."}), [4], generation=7)
    answer = lexical.view().search(stems("floods"), 5)
    lexical.close()
    again = LexicalIndex(tmp_path / "lexical", create=False)
    assert again.committed_generation() == 7
    assert again.view().search(stems("floods"), 5) == answer == [(5, answer[0][1])]
    again.write([], [5], generation=8)
    assert again.view().num_docs == 3
    again.close()


def test_a_generation_must_move_forward(lexical):
    with pytest.raises(ValueError, match="generation 1 is not after"):
        lexical.write(adds({5: "More."}), [], generation=1)
    assert lexical.committed_generation() == 1


def test_a_term_with_a_space_is_refused(lexical):
    with pytest.raises(ValueError, match="empty or has a space"):
        lexical.write([(5, ["two words"])], [], generation=2)
    with pytest.raises(ValueError, match="empty or has a space"):
        lexical.write([(5, ["ok", ""])], [], generation=2)
    lexical.write([(5, ["ok"])], [], generation=2)  # the refusals left the writer usable
    assert ids(lexical.view().search(["ok"], 5)) == [5]


def test_deleted_chunks_are_merged_away_as_segments_accumulate(tmp_path):
    index = LexicalIndex(tmp_path / "lexical")
    index.write([(c, ["word", f"w{c}"]) for c in range(200)], [], generation=1)
    for g in range(2, 22):  # each replaces ten chunks: 20 small segments
        replaced = range(10 * (g - 2), 10 * (g - 1))
        index.write([(c, ["word", f"v{c}"]) for c in replaced], [], generation=g)
    index.close(wait_for_merges=True)
    segments = index.segments()
    # 21 commits made 21 segments and 220 deleted documents (with the generation's own);
    # merges of eight segments at a time leave fewer, and drop what they hold deleted.
    assert len(segments) < 8
    assert sum(s.documents - s.deleted for s in segments) == 201
    assert sum(s.deleted for s in segments) < 100
    again = LexicalIndex(tmp_path / "lexical")
    view = again.view()
    assert view.num_docs == 200 and view.doc_freq("word") < 300
    assert ids(view.search(["v25"], 5)) == [25] and view.search(["w25"], 5) == []


def test_a_second_writer_is_refused(lexical, tmp_path):
    other = LexicalIndex(tmp_path / "lexical")
    assert other.committed_generation() == 1  # reading needs no lock
    with pytest.raises(IndexBusy, match="another writer holds the lexical index"):
        other.write([], [], generation=2)
    lexical.close()
    other.write([], [], generation=2)  # the first let go of its lock
    other.close()


def test_a_missing_index_is_not_created_when_not_asked(tmp_path):
    with pytest.raises(IndexMissing, match="no lexical index"):
        LexicalIndex(tmp_path / "none", create=False)


def test_a_folder_of_another_layout_is_refused(tmp_path):
    schema = tantivy.SchemaBuilder()
    schema.add_text_field("body")
    tantivy.Index(schema.build(), path=str(tmp_path))
    with pytest.raises(IndexMismatch, match="another layout"):
        LexicalIndex(tmp_path)


@pytest.mark.parametrize("damage", ["meta.json", "segment file"])
def test_a_damaged_index_is_told_as_corrupt(lexical, tmp_path, damage):
    lexical.close()
    folder = tmp_path / "lexical"
    if damage == "meta.json":
        (folder / "meta.json").write_text("{not json")
    else:
        segment = json.loads((folder / "meta.json").read_text())["segments"][0]["segment_id"]
        with open(folder / f"{segment.replace('-', '')}.term", "r+b") as f:
            f.truncate(5)
    with pytest.raises(IndexCorrupt, match="is damaged.*rebuild it"):
        LexicalIndex(folder).view()


def run_worker(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RUST_BACKTRACE": "0"}
    return subprocess.Popen(
        [sys.executable, str(WORKER), str(folder)], stdout=subprocess.PIPE, text=True, env=env
    )


def last_committed(proc: subprocess.Popen, at_least: int, delay: float) -> int:
    """Read ``proc``'s output until it has committed ``at_least`` generations, SIGKILL it
    ``delay`` seconds later, and return the last generation it said it committed."""
    watchdog = threading.Timer(60, proc.kill)  # a stuck worker fails the test, not hangs it
    watchdog.start()
    said = 0
    try:
        while said < at_least:
            line = proc.stdout.readline()
            assert line, "the worker ended on its own"
            said = int(line.split()[1])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        for line in proc.stdout:
            said = int(line.split()[1])
    finally:
        watchdog.cancel()
    return said


@pytest.mark.parametrize("delay", [0.0, 0.005, 0.02, 0.05])
def test_a_killed_writer_leaves_the_generation_its_chunks_are_at(tmp_path, delay):
    sys.path.insert(0, str(WORKER.parent))
    try:
        from lexical_worker import expected
    finally:
        sys.path.remove(str(WORKER.parent))
    folder = tmp_path / "lexical"
    for round_ in range(2):  # the second worker carries on after the first was killed
        said = last_committed(run_worker(folder), at_least=3 * (round_ + 1), delay=delay)
        index = LexicalIndex(folder)
        generation = index.committed_generation()
        assert generation in (said, said + 1)  # nothing acknowledged lost
        view = index.view()
        found = set(ids(view.search(["common"], 10_000)))
        assert found == expected(generation) and view.num_docs == len(found)
        assert ids(view.search([f"own{min(found)}"], 5)) == [min(found)]
        index.close()
