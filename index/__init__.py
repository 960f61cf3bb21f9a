"""Turn articles into a stored index: parse, clean, chunk, embed, store."""

from .build import Report, index_paths, replacing, update
from .embed import MODEL_NAME, Embedder, SentenceTransformerEmbedder
from .faults import (
    IndexBusy,
    IndexCorrupt,
    IndexFull,
    IndexMismatch,
    IndexMissing,
    IndexProblem,
    IndexReadOnly,
)
from .parse import BadArticle, parse, read_article
from .records import Article, Chunk, Sentence, Span
from .store import Store, StoredDocument

__all__ = [
    "MODEL_NAME",
    "Article",
    "BadArticle",
    "Chunk",
    "Embedder",
    "IndexBusy",
    "IndexCorrupt",
    "IndexFull",
    "IndexMismatch",
    "IndexMissing",
    "IndexProblem",
    "IndexReadOnly",
    "Report",
    "Sentence",
    "SentenceTransformerEmbedder",
    "Span",
    "Store",
    "StoredDocument",
    "index_paths",
    "parse",
    "read_article",
    "replacing",
    "update",
]
