"""Turn articles into a stored index: parse, clean, chunk, embed, store."""

from .build import Report, index_paths, recut, replacing, update
from .embed import MODEL_NAME, Embedder, SentenceTransformerEmbedder
from .entities import Recognizer, SpacyRecognizer
from .faults import (
    IndexBusy,
    IndexCorrupt,
    IndexFull,
    IndexMismatch,
    IndexMissing,
    IndexProblem,
    IndexReadOnly,
)
from .feed import Feed, read_feed
from .html import parse_html
from .parse import BadArticle, parse
from .read import read_article
from .records import Article, Chunk, Sentence, Span
from .store import Store, StoredDocument
from .watch import watch_folder

__all__ = [
    "MODEL_NAME",
    "Article",
    "BadArticle",
    "Chunk",
    "Embedder",
    "Recognizer",
    "SpacyRecognizer",
    "Feed",
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
    "parse_html",
    "read_article",
    "read_feed",
    "recut",
    "replacing",
    "update",
    "watch_folder",
]
