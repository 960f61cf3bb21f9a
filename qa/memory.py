"""Giving memory back to the system: after a reload or a merge, and the resident pages of
the index files a server has read; and reading the index files into the page cache ahead
of the questions."""

from __future__ import annotations

import ctypes
import mmap
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

MADV_POPULATE_READ = 22  # Linux 5.14 (Python's mmap module names it from 3.12 on)
# read_ahead maps this much of a file at a time (a multiple of the mapping granularity).
READ_AHEAD_WINDOW = 64 << 20
M_ARENA_MAX = -8  # mallopt's parameter number (glibc's malloc.h)
# glibc gives each new thread an arena of its own, up to eight per core, and each arena
# keeps what its thread freed. A BBC server's RSS grew 85-105 MB over 50 writes through
# POST /documents that way, and 22-35 MB with its threads sharing two arenas
# (bench/scale.py bbc), with no fewer answers a second at concurrency 8.
SERVER_ARENAS = 2
# Past this much resident file-backed memory (mapped index files and libraries), a
# serving process drops its resident pages of the index files' arrays. A question touching
# a page maps that page's whole folio of the page cache: at 1M chunks the first question
# mapped 689 MB of the dense graph (a 1,041 MB file, which FAISS maps and which stays
# resident), 20 more took the index files to 1.3 GB, on top of 417 MB of the process's
# own. Bounded here, after every answer: over 200 questions a peak of 2.0 GB and 1.7-1.9
# GB at the end, against 2.2 GB at both unbounded, with p50 no slower (bench/RESULTS.md).
FILE_RESIDENT_MB = 1536


@lru_cache(maxsize=1)
def c_library() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return None


def give_back_memory() -> None:
    """Return the memory an old generation freed to the system (glibc keeps freed pages
    otherwise, and a server's resident size creeps up by a few MB a reload)."""
    libc = c_library()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def share_malloc_arenas(n: int = SERVER_ARENAS) -> None:
    """Let the threads this process starts from now on share at most ``n`` malloc arenas
    (call it before starting them)."""
    libc = c_library()
    if libc is not None and hasattr(libc, "mallopt"):
        libc.mallopt(M_ARENA_MAX, n)


def file_resident_mb() -> float:
    """This process's resident memory that files back (mappings and libraries)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("RssFile:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def drop_pages(mappings: Iterable[mmap.mmap]) -> int:
    """Take this process's resident pages of ``mappings`` (read-only mappings of index
    files) out of its memory; returns the bytes advised. The page cache keeps them:
    touching one again maps it back without reading the disk. The caller holds the
    mappings, so none can be unmapped, and its addresses reused, while it is advised (an
    address range read from /proc/self/maps could be, and MADV_DONTNEED on memory
    allocated there since would zero it)."""
    advised = 0
    for mapping in mappings:
        try:
            mapping.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # closed, or advice this system does not take
            continue
        advised += len(mapping)
    return advised


def read_ahead(paths: Iterable[Path]) -> None:
    """Read ``paths`` into the page cache, in the order given, ahead of the questions that
    will touch them. Each file is mapped a window at a time and its pages faulted in by
    the kernel (MADV_POPULATE_READ: 3.7 GB in 2.2 s, 0.1 s of CPU, where reading them
    took 8 s of CPU; POSIX_FADV_WILLNEED read nothing here), then unmapped: this process
    maps a page for good only when a question touches it. A kernel older than 5.14 has no
    such advice, and nothing is read. Slow: call it from a thread of its own."""
    for path in paths:
        try:
            with open(path, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                for at in range(0, size, READ_AHEAD_WINDOW):
                    length = min(READ_AHEAD_WINDOW, size - at)
                    with mmap.mmap(f.fileno(), length, access=mmap.ACCESS_READ, offset=at) as m:
                        m.madvise(MADV_POPULATE_READ)
        except OSError:  # gone (merged away), or advice this kernel does not take
            continue
