"""The tables of an index's SQLite database (created if missing, never altered in place)."""

DB_FILE = "index.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    published TEXT,
    source TEXT,
    outlet TEXT,
    author TEXT,
    text TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    duplicate_of TEXT,
    indexed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
-- Named entities of a sentence's text, by its hash: a JSON list of [start, end, label].
CREATE TABLE IF NOT EXISTS entities (hash TEXT PRIMARY KEY, spans TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS chunks (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE TABLE IF NOT EXISTS sentences (
    doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    hash TEXT NOT NULL,
    norm TEXT NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE INDEX IF NOT EXISTS sentences_norm ON sentences(norm);
CREATE INDEX IF NOT EXISTS sentences_hash ON sentences(hash);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(hash);
-- Which documents each generation added, replaced or deleted (or re-decided as reprints),
-- so that a reader loads only what changed since the generation it holds.
CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, doc_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS changes_generation ON changes(generation);
"""
