"""Cut an article's story into retrieval passages and quotable sentences, as spans."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from .clean import sections
from .records import Article, Chunk, Sentence

if TYPE_CHECKING:
    import pysbd
    from langchain_text_splitters import RecursiveCharacterTextSplitter

CHUNK_SIZE = 600
CHUNK_OVERLAP = 120
# How articles are cut, numbered: raised whenever a change would cut a stored article into
# other spans. The store notes the version its articles were cut with, and `qa index
# --recut` cuts them again from their stored text.
#   1: the first splitters;
#   2: a sentence no longer runs on past a quotation left open (_pieces).
CUT_VERSION = 2


@lru_cache(maxsize=4)
def _splitter(size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    # Imported here: `qa index` on unchanged files never needs it.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=overlap,
        separators=["\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
        keep_separator="end",
        add_start_index=True,
        strip_whitespace=True,
    )


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def chunk(article: Article, size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Passages of about ``size`` characters over the story; never across chrome."""
    out: list[Chunk] = []
    for section in sections(article.text, article.body):
        piece = article.text[section.start : section.end]
        for doc in _splitter(size, overlap).create_documents([piece]):
            start = section.start + doc.metadata["start_index"]
            end = start + len(doc.page_content)
            assert article.text[start:end] == doc.page_content, "splitter offset drifted"
            out.append(Chunk(article.doc_id, len(out), start, end, doc.page_content))
    return out


# pysbd keeps a quotation whole, so a quotation mark left open runs one "sentence" on to
# the paragraph's end: in the BBC collection, 147 of 39,098 sentences over 400 characters,
# the longest 1,452, quoting several sentences each. A sentence this long that holds a
# double quotation mark is cut again with those marks blanked out (the same length, so its
# offsets hold), which pysbd reads as plain sentences.
LONG_SENTENCE = 300
_QUOTES = str.maketrans({'"': " ", "\u201c": " ", "\u201d": " "})


def _pieces(line: str) -> Iterator[str]:
    """The sentences pysbd reads in ``line``, a long one with its quotes blanked out."""
    for piece in _segmenter().segment(line):
        text = piece.sent
        blanked = text.translate(_QUOTES) if len(text.strip()) > LONG_SENTENCE else text
        if blanked == text:  # short, or no quotation mark in it
            yield text
            continue
        cursor = 0
        for part in _segmenter().segment(blanked):
            plain = part.sent.strip()
            at = blanked.find(plain, cursor) if plain else -1
            if at < 0:
                continue
            end = at + len(plain)
            # The quotation marks at its edges belong to it.
            while at > cursor and text[at - 1] in '"\u201c':
                at -= 1
            while end < len(text) and text[end] in '"\u201d':
                end += 1
            cursor = end
            yield text[at:end]


def sentences(article: Article) -> list[Sentence]:
    """Every sentence of the story, each within one paragraph."""
    out: list[Sentence] = []
    for block in article.body:
        line = article.text[block.start : block.end]
        cursor = 0
        for piece in _pieces(line):
            text = piece.strip()
            if not text:
                continue
            # pysbd's spans can drift on repeated text; find each sentence from the cursor.
            at = line.find(text, cursor)
            if at < 0:
                continue
            cursor = at + len(text)
            start = block.start + at
            out.append(Sentence(article.doc_id, len(out), start, start + len(text), text))
    return out
