"""Segments saved in the index folder, so that a reader starting up opens them instead of
building them again from every stored row.

Building a corpus from the store reads every row and works out what each sentence holds
(its terms, the chunks it overlaps) and each segment's graph: 37 s at 100k chunks, 383 s
at a million. So a reader saves what it built (``keep``): each segment into a folder of
its own, written once and never changed, and a manifest naming the segments of one
generation with the articles dead in each. Starting (``open_saved``), it opens the
segments the manifest names, their graphs and per-row arrays mapped from the files and
their sentence vectors read as needed (rowfile.py), and then reads from the store only
what changed since that generation: 7 s at a million chunks.

One process of a folder saves and merges its segments: the first to take the folder's
owner lock (``Owner``), for as long as it lives. Each worker of `qa serve --workers N`
saving and merging its own would merge the same segments N times over (each merging
process of a million chunks takes 6 GB), and would delete the folders the others had just
named. The others adopt what the owner names (``open_saved`` with the segments they have
open), and one of them takes over when the owner ends.

The saved segments are a cache: the store stays the record. A manifest of another index
or format, or one that does not open whole, is passed over and the corpus is built from
the store again; a folder that cannot be written to is left as it is. What one segment's
folder holds, and how it is written and opened, is segment_files.py's.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO

from index import Store

from . import segment_files
from .corpus import Corpus
from .rowfile import RowFile
from .segments import Live, Segment

log = logging.getLogger(__name__)

FOLDER = "segments"
MANIFEST = "manifest.json"
LOCK = "lock"
OWNER = "owner"
BUILDING = "building"
# 3: the articles' texts in a file of their own, read when looked up; 4: their paragraphs,
# sentence runs and headline terms in arrays too (packed_articles.py)
FORMAT = 4
# A segment folder no manifest names is deleted after this many seconds, and so is a
# merge's scratch file (named so) left by a process that died merging.
UNNAMED_KEPT = 600
SCRATCH = ".merging-"


def open_saved(store: Store, reuse: Mapping[str, Segment] | None = None) -> Corpus | None:
    """The corpus the index folder's manifest names, with its segments opened from their
    files (or taken from ``reuse``, by name, where open already); None if there is none
    for this index that opens whole."""
    reuse = reuse or {}
    folder = store.dir / FOLDER
    if not (folder / MANIFEST).exists():
        return None
    try:
        with _locked(folder, fcntl.LOCK_SH):
            manifest = json.loads((folder / MANIFEST).read_text())
            if manifest.get("format") != FORMAT or manifest.get("index") != _identity(store):
                return None
            live = tuple(
                Live(
                    reuse.get(p["name"]) or segment_files.read(folder / p["name"]),
                    frozenset(p["dead"]),
                )
                for p in manifest["live"]
            )
    except Exception as e:  # a cache: whatever fails, the store is read instead
        log.warning("the saved segments in %s do not open (%s): reading the store", folder, e)
        return None
    return Corpus(generation=manifest["generation"], live=live, lexical=store.lexical().view())


def keep(corpus: Corpus, store: Store) -> Corpus:
    """Save ``corpus``'s segments that are not saved yet and name them all in the
    manifest (the process that owns the folder does); returns ``corpus`` with the
    segments it built in memory replaced by their saved, mapped form. Waits while another
    process reads the manifest; left as it is when the folder cannot be written to."""
    folder = store.dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        with _locked(folder, fcntl.LOCK_EX):
            opened = [Live(_saved(p.segment, folder), p.dead) for p in corpus.live]
            before = _named(folder)
            manifest = {
                "format": FORMAT,
                "index": _identity(store),
                "generation": corpus.generation,
                "live": [{"name": p.segment.name, "dead": sorted(p.dead)} for p in opened],
            }
            tmp = folder / f"{MANIFEST}.tmp"
            tmp.write_text(json.dumps(manifest))
            os.replace(tmp, folder / MANIFEST)
            # Segments merged away (named before, not now), and any other not named
            # for a while (one saved ahead of its merge's end is named soon after; one
            # a process died writing, never). A reader that mapped them keeps its mapping.
            named = {p.segment.name for p in opened}
            for path in folder.iterdir():
                try:
                    old = time.time() - path.stat().st_mtime > UNNAMED_KEPT
                except FileNotFoundError:  # another process's scratch file, just gone
                    continue
                if path.name.startswith(SCRATCH) and old:  # a merge that died
                    path.unlink(missing_ok=True)
                if not path.is_dir() or path.name in named:
                    continue
                if path.name in before or old:
                    shutil.rmtree(path, ignore_errors=True)
    except Exception as e:  # a cache: a full disk or a read-only folder only costs time
        log.info("segments not saved in %s: %s", folder, e)
        return corpus
    return replace(corpus, live=tuple(opened))


def persisted(segment: Segment, index_dir: Path) -> Segment:
    """``segment`` saved in the index folder ``index_dir`` and opened from it (a merge
    saves its segment before it is swapped in, so that the swap does not wait for the
    writing); ``segment`` itself if it cannot be saved."""
    folder = index_dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        with _locked(folder, fcntl.LOCK_EX):
            return _saved(segment, folder)
    except Exception as e:
        log.info("segment not saved in %s: %s", folder, e)
        return segment


def _saved(segment: Segment, folder: Path) -> Segment:
    """``segment`` as opened from its folder in ``folder``, written there first if it
    is not yet (hold the lock)."""
    if not (folder / segment.name).is_dir():
        segment_files.write(segment, folder)
    elif isinstance(segment.sentence_vectors, RowFile):
        return segment  # opened from there already
    return segment_files.read(folder / segment.name)


def searched_files(corpus: Corpus, store: Store) -> list[Path]:
    """The files questions read: the lexical index's, then those of ``corpus``'s segments
    saved in the folder (segment_files.SEARCHED, the largest segment first), then their
    articles' texts."""
    live = sorted(corpus.live, key=lambda p: -len(p.segment.chunks))
    folders = [store.dir / FOLDER / p.segment.name for p in live if is_saved(p.segment, store.dir)]
    try:
        lexical = sorted(p for p in store.lexical().directory.iterdir() if p.is_file())
    except OSError:
        lexical = []
    return [
        *lexical,
        *(folder / name for name in segment_files.SEARCHED for folder in folders),
        *(folder / "texts.npy" for folder in folders),
    ]


def is_saved(segment: Segment, index_dir: Path) -> bool:
    """Whether ``segment`` was opened from its folder in ``index_dir`` (another process
    can open it there)."""
    return (
        isinstance(segment.sentence_vectors, RowFile)
        and (index_dir / FOLDER / segment.name).is_dir()
    )


def opened(index_dir: Path, name: str) -> Segment:
    """The segment saved as ``name`` in ``index_dir``, opened."""
    return segment_files.read(index_dir / FOLDER / name)


@contextlib.contextmanager
def building(index_dir: Path) -> Iterator[None]:
    """Held while a process builds a corpus from nothing and saves it (building.py),
    waiting while another does; in a folder that cannot be written to, not held."""
    folder = index_dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        held = open(folder / BUILDING, "a+")  # noqa: SIM115 (closed below)
    except OSError:
        yield
        return
    with held:
        with contextlib.suppress(OSError):  # a file system without locks: not held
            fcntl.flock(held, fcntl.LOCK_EX)
        yield


def stamp(index_dir: Path) -> tuple[int, int] | None:
    """What tells one manifest of ``index_dir`` from the next (each is a new file), or
    None while there is none."""
    try:
        st = (index_dir / FOLDER / MANIFEST).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns


class Owner:
    """Whether this process owns an index folder's saved segments: it holds the folder's
    owner lock from the first ``owns`` that takes it until ``release`` (or its end).
    A process that cannot make the lock file (a folder it cannot write) owns what it
    holds in memory: it merges there, and nothing is saved."""

    def __init__(self, index_dir: Path) -> None:
        self._path = index_dir / FOLDER / OWNER
        self._held: IO[str] | None = None
        self._released = False

    def owns(self) -> bool:
        """True if this process holds the lock, taking it if no process does (never
        again once released)."""
        if self._held is not None:
            return True
        if self._released:
            return False
        try:
            self._path.parent.mkdir(exist_ok=True)
            held = open(self._path, "a+")  # noqa: SIM115 (held open: the lock goes with it)
        except OSError:
            return True
        try:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another process owns the folder
            held.close()
            return False
        except OSError:  # a file system without locks: each process owns what it holds
            pass
        self._held = held
        return True

    def release(self) -> None:
        self._released = True
        if self._held is not None:
            self._held.close()  # and with it the lock
            self._held = None


def _named(folder: Path) -> set[str]:
    """The segments the manifest in ``folder`` names (none if it does not read)."""
    try:
        return {p["name"] for p in json.loads((folder / MANIFEST).read_text())["live"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _identity(store: Store) -> str:
    return f"{store.index_id}/{store.model}/{store.dim}"


@contextlib.contextmanager
def _locked(folder: Path, how: int) -> Iterator[None]:
    # Read-only for a shared lock: a reader may open segments in a folder it cannot write.
    with open(folder / LOCK, "r" if how == fcntl.LOCK_SH else "a+") as f:
        fcntl.flock(f, how)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def scratch_file(index_dir: Path) -> Path | None:
    """A new file in the index folder ``index_dir`` for a merge's sentence vectors (linked
    into the merged segment's folder when it is saved); None where it cannot be written."""
    folder = index_dir / FOLDER
    try:
        folder.mkdir(exist_ok=True)
        path = folder / f"{SCRATCH}{uuid.uuid4().hex}.npy"
        path.touch()
    except OSError:
        return None
    return path
