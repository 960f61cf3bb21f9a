"""The rows of an array saved as a ``.npy`` file, read from the file when asked for.

A saved segment's sentence vectors (2.2 GB at a million chunks) are read a few hundred
rows a question. Mapped, each row read would stay in the process's resident memory, and
the kernel maps the pages around each one it faults in too: 20,000 random rows of the 1M
archive's sentence vectors added 1.9 GB to the process's RSS. Read with ``pread``, they
pass through the page cache, which the kernel keeps or drops as memory allows, and the
process holds only what it asked for.
"""

from __future__ import annotations

import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np

# The most one read asks for (Linux returns at most 2 GB a read).
READ_BYTES = 1 << 30


class RowFile:
    """A 2-D array in a ``.npy`` file, indexed by row like the array."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(f)
            self._offset = f.tell()
        if fortran or len(shape) != 2:
            raise ValueError(f"{path}: not a 2-D array in C order")
        self.shape: tuple[int, int] = shape
        self.dtype = np.dtype(dtype)
        self._row_bytes = shape[1] * self.dtype.itemsize
        # Open for as long as the rows are: the file may be deleted meanwhile (a segment
        # merged away), and is read from all the same.
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        if os.fstat(self._fd).st_size < self._offset + shape[0] * self._row_bytes:
            raise ValueError(f"{path} is cut short")

    def __len__(self) -> int:
        return self.shape[0]

    def _read(self, start: int, count: int) -> np.ndarray:
        out = np.empty((count, self.shape[1]), dtype=self.dtype)
        view = memoryview(out.data).cast("B")
        at, end = 0, count * self._row_bytes
        while at < end:  # one read returns at most 2 GB
            got = os.preadv(
                self._fd,
                [view[at : min(end, at + READ_BYTES)]],
                self._offset + start * self._row_bytes + at,
            )
            if not got:
                raise OSError(f"rows {start}..{start + count} are past the end of the file")
            at += got
        return out

    def __getitem__(self, i: Any) -> np.ndarray:
        if isinstance(i, int | np.integer):
            n = len(self)
            if not -n <= i < n:
                raise IndexError(i)
            return self._read(int(i) % n, 1)[0]
        ids = np.arange(len(self))[i] if isinstance(i, slice) else np.asarray(i, dtype=np.int64)
        if not len(ids):
            return np.zeros((0, self.shape[1]), dtype=self.dtype)
        if ids.min() < 0 or ids.max() >= len(self):
            raise IndexError(i)
        # One read per run of consecutive rows (a merge asks for whole articles).
        breaks = np.flatnonzero(np.diff(ids) != 1) + 1
        starts = np.concatenate([[0], breaks])
        ends = np.concatenate([breaks, [len(ids)]])
        return np.concatenate(
            [self._read(int(ids[a]), int(b - a)) for a, b in zip(starts, ends, strict=True)]
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self._read(0, len(self))
        return whole if dtype is None else whole.astype(dtype)
