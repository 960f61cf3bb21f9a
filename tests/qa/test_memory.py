"""A server's resident pages of the index files: dropped from the process, read back the
same, and only those of the mappings named; and its threads sharing malloc arenas."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from qa import memory
from qa.memory import drop_pages

MB = 1 << 20


def resident_kb(path: Path) -> int:
    """This process's resident memory in its mappings of ``path``, from /proc/self/smaps."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:  # a mapping's first line
            inside = len(head) == 6 and head[5] == str(path)
        elif inside and line.startswith("Rss:"):
            total += int(line.split()[1])
    return total


def test_dropped_pages_leave_the_process_and_read_back_the_same(tmp_path):
    data = np.arange(4 * MB, dtype=np.int32)  # 16 MB
    named, other = tmp_path / "named.npy", tmp_path / "other.npy"
    for path in (named, other):
        np.save(path, data)
    dropped = np.load(named, mmap_mode="r")
    kept = np.load(other, mmap_mode="r")
    for mapped in (dropped, kept):
        assert int(mapped.sum(dtype=np.int64)) == int(data.sum(dtype=np.int64))  # every page
    assert resident_kb(named) > 15_000

    assert drop_pages([dropped._mmap]) >= 16 * MB

    assert resident_kb(named) < 1_000
    assert resident_kb(other) > 15_000  # not named
    assert np.array_equal(dropped, data)  # mapped back from the page cache
    assert resident_kb(named) > 15_000


def test_a_closed_mapping_is_passed_over(tmp_path):
    np.save(tmp_path / "rows.npy", np.arange(1000))
    closed = np.load(tmp_path / "rows.npy", mmap_mode="r")._mmap
    closed.close()
    assert drop_pages([closed]) == 0


# Four threads each allocate and free through malloc, then glibc lists its arenas.
THREADS = """
import ctypes, sys, threading
from qa.memory import share_malloc_arenas
if sys.argv[1] == "shared":
    share_malloc_arenas(2)
barrier = threading.Barrier(4)
def work():
    barrier.wait()  # all four at once, so that none can reuse another's arena
    blocks = [bytearray(50_000) for _ in range(20)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL("libc.so.6").malloc_stats()
"""


def arenas(mode: str) -> int:
    run = subprocess.run(
        [sys.executable, "-c", THREADS, mode], capture_output=True, text=True, check=True
    )
    return sum(line.startswith("Arena ") for line in run.stderr.splitlines())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_threads_share_the_arenas_allowed():
    assert arenas("own") > 2  # glibc's default: a thread gets an arena of its own
    assert arenas("shared") <= 2


def test_read_ahead_faults_in_every_window_of_each_file(tmp_path, monkeypatch):
    window = memory.READ_AHEAD_WINDOW
    sizes = {"empty": 0, "small": 10, "windows": 2 * window + 5}
    for name, size in sizes.items():
        with open(tmp_path / name, "wb") as f:
            f.truncate(size)
    mapped, advised = [], []

    class Mapping:  # mmap.mmap, recording what read_ahead maps and advises
        def __init__(self, fd, length, access, offset):
            mapped.append((os.fstat(fd).st_size, offset, length))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def madvise(self, advice):
            advised.append(advice)

    monkeypatch.setattr(memory.mmap, "mmap", Mapping)
    memory.read_ahead([tmp_path / "gone", *(tmp_path / n for n in sizes)])
    big = sizes["windows"]
    assert mapped == [(10, 0, 10), (big, 0, window), (big, window, window), (big, 2 * window, 5)]
    assert advised == [memory.MADV_POPULATE_READ] * 4
