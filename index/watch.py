"""Keep the index in step with a folder: index files as they land, change or go (watchfiles).

Each pass is the caller's own update (for `qa watch`, `index_paths` under the index's write
lock, as `qa index` does), so a watcher is one more writer like any other. A file still
being written is not read: a pass runs only after the folder has been quiet for a while and
every changed file has kept its size and time over that while. A writer can also write a
hidden file (".name.tmp") and rename it when done; hidden files are never read.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from .build import Report
from .faults import IndexBusy

log = logging.getLogger(__name__)

QUIET_SECONDS = 1.0


def _hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return True
    return any(part.startswith(".") for part in parts)


def _state(paths: set[Path]) -> dict[Path, tuple[int, int] | None]:
    out: dict[Path, tuple[int, int] | None] = {}
    for p in paths:
        try:
            st = p.stat()
            out[p] = (st.st_size, st.st_mtime_ns)
        except OSError:
            out[p] = None  # gone (or renamed away)
    return out


def _settle(paths: set[Path], quiet: float, stop: threading.Event) -> None:
    """Return once no file in ``paths`` has changed size or time for ``quiet`` seconds."""
    before = _state(paths)
    while not stop.wait(quiet):
        now = _state(paths)
        if now == before:
            return
        before = now


def _index(index_once: Callable[[], Report], quiet: float, stop: threading.Event) -> Report | None:
    """One pass; while another writer holds the index, try again every ``quiet`` seconds."""
    while True:
        try:
            return index_once()
        except IndexBusy as e:
            log.warning("%s", e)
            if stop.wait(quiet):
                return None


def watch_folder(
    folder: Path,
    index_once: Callable[[], Report],
    on_report: Callable[[Report], None],
    quiet: float = QUIET_SECONDS,
    stop: threading.Event | None = None,
) -> None:
    """Run ``index_once`` now and after every quiet spell that follows a change under
    ``folder``, handing each report to ``on_report``, until ``stop`` is set."""
    from watchfiles import watch

    folder = folder.resolve()
    stop = stop or threading.Event()
    first = True  # the first pass runs once the watcher listens, so no file slips between
    for changes in watch(
        folder,
        step=max(int(quiet * 1000), 50),  # yield only after this long without a change...
        debounce=24 * 3600 * 1000,  # ...however long the changes go on
        stop_event=stop,
        rust_timeout=max(int(quiet * 1000), 50),
        yield_on_timeout=True,  # an empty batch: the watcher is up and the folder quiet
    ):
        paths = {Path(p) for _, p in changes if not _hidden(Path(p), folder)}
        if paths:
            _settle(paths, quiet, stop)
        elif not first:
            continue
        first = False
        if stop.is_set():
            break
        if report := _index(index_once, quiet, stop):
            on_report(report)
