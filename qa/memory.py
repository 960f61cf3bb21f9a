"""Giving memory back to the system after a reload or a merge."""

from __future__ import annotations

import ctypes
from functools import lru_cache


@lru_cache(maxsize=1)
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def give_back_memory() -> None:
    """Return the memory an old generation freed to the system (glibc keeps freed pages
    otherwise, and a server's resident size creeps up by a few MB a reload)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
