"""Answer questions from the stored index: retrieve, select sentences, cite, abstain."""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answer import answer
    from .filters import BadFilters, Filters
    from .records import Answer, Citation, Conflict, Hit, StageTimes
    from .retrieve import MODES, retrieve
    from .select import Weights
    from .service import QA

__all__ = [
    "MODES",
    "QA",
    "Answer",
    "BadFilters",
    "Citation",
    "Conflict",
    "Filters",
    "Hit",
    "StageTimes",
    "Weights",
    "answer",
    "retrieve",
]

# The public names are loaded on first use: the `qa` command (cli/) reads qa.settings, and
# `qa index` with nothing new to embed must not pay for FAISS, BM25 and the model.
_HOME = {
    "Weights": "select",
    "answer": "answer",
    "Answer": "records",
    "Citation": "records",
    "Conflict": "records",
    "Hit": "records",
    "BadFilters": "filters",
    "Filters": "filters",
    "MODES": "retrieve",
    "retrieve": "retrieve",
    "QA": "service",
    "StageTimes": "records",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    for key, module in _HOME.items():
        globals()[key] = getattr(import_module(f".{module}", __name__), key)
    return globals()[name]


class _Package(ModuleType):
    """Importing a submodule sets it as an attribute of its package; the functions
    `answer` and `retrieve` keep those names here even so (as an eager import did)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if not (isinstance(value, ModuleType) and name in _HOME):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
