"""What a segment knows of its articles as wholes: their headline terms, sources, words,
numbers and header words, worked out once when the segment is built or merged."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from index import StoredDocument

from .packed import TermSets
from .terms import NUMBER, fold, number, source_names, stems


@dataclass(frozen=True)
class Articles:
    """What a segment knows of its articles as wholes."""

    title_terms: dict[str, frozenset[str]]
    sources: dict[str, frozenset[str]]
    words: list[str]
    numbers: frozenset[str]
    header_words: TermSets


def articles(docs: Mapping[str, StoredDocument]) -> Articles:
    """The headline terms, sources, words and numbers of ``docs``, each article read once
    (a packed one is decoded as it is read: packed_articles.Texts)."""
    raw: set[str] = set()
    sources: dict[str, set[str]] = {}
    title_terms: dict[str, frozenset[str]] = {}
    numbers: set[str] = set()
    headers: list[set[str]] = []
    for d in docs.values():
        for text in (d.text, d.title, d.author or "", d.outlet or ""):
            raw.update(re.findall(r"\w+", text.lower()))
        for name in source_names(d.outlet, d.author):
            sources.setdefault(name, set()).add(d.doc_id)
        title_terms[d.doc_id] = frozenset(stems(d.title))
        numbers.update(number(n) for n in NUMBER.findall(d.text))
        headers.append({w.lower() for w in re.findall(r"\w+", header(d))})
    return Articles(
        title_terms=title_terms,
        sources={name: frozenset(ids) for name, ids in sources.items()},
        # Accents are dropped word by word, from the distinct words only.
        words=sorted({w if w.isascii() else fold(w) for w in raw}),
        numbers=frozenset(numbers),
        header_words=TermSets.of(headers),
    )


def header(d: StoredDocument) -> str:
    """An article's outlet, author, title and the lines above its story, in one string."""
    return (
        f"{d.outlet or ''} {d.author or ''} {d.title} {d.text[: d.body[0].start if d.body else 0]}"
    )
