"""Whether an index folder still holds the database a ``Store`` (store.py) opened, and
whether that database is sound and can be written to."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from .faults import IndexMissing, unwritable
from .lock import LOCK_FILE
from .schema import DB_FILE


class StoreFiles:
    """The files side of ``Store``: its folder, and which database file it opened."""

    dir: Path
    index_id: str | None
    _file: tuple[int, int] | None

    def replaced(self) -> bool:
        """True if the folder no longer holds the database file this store opened (it
        was deleted, moved, or replaced by another index); IndexMissing if it holds none."""
        now = file_id(self.dir / DB_FILE)
        if now is None:
            raise IndexMissing(
                f"the index folder {self.dir} is gone: build one with `qa index PATH`"
            )
        return now != self._file

    @property
    def identity(self) -> tuple[tuple[int, int] | None, str | None]:
        """Which database this store opened: its file, and the index's id."""
        return self._file, self.index_id

    def writable(self) -> bool:
        """Whether a write could go through (by trying to create a file in the folder)."""
        files = [self.dir / n for n in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", LOCK_FILE)]
        return unwritable(self.dir, files) is None

    def file_state(self) -> tuple:
        """Changes whenever the database files do (size and time of the file and its log)."""
        out: list = []
        for name in (DB_FILE, f"{DB_FILE}-wal"):
            try:
                st = os.stat(self.dir / name)
                out.append((st.st_ino, st.st_size, st.st_mtime_ns))
            except FileNotFoundError:
                out.append(None)
        return tuple(out)

    def verify(self, full: bool = False) -> list[str]:
        """Read the database file afresh (not this store's cached pages) and check its
        structure; returns the problems found, none if it is sound. ``full`` checks indexes
        against tables too, which takes longer."""
        uri = f"file:{(self.dir / DB_FILE).resolve()}?mode=ro"
        try:
            db = sqlite3.connect(uri, uri=True, timeout=30)
            try:
                pragma = "integrity_check" if full else "quick_check"
                rows = [r for (r,) in db.execute(f"PRAGMA {pragma}(20)")]
                rows += [f"broken reference: {r}" for r in db.execute("PRAGMA foreign_key_check")]
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.Error as e:
            return [str(e)]
        problems = [r for r in rows if r != "ok"]
        if meta.get("index_id") != self.index_id:
            problems.append("the folder now holds another index")
        return problems


def file_id(path: Path) -> tuple[int, int] | None:
    """The device and inode of ``path``; None if there is no such file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino
