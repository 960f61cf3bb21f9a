"""Questions about an article rather than its story: who wrote it, when it was published or
last updated. The answer is the article's own byline or date line, quoted and cited like
any sentence; those lines sit above the story, so the sentence search never sees them.
"""

from __future__ import annotations

import bisect
import re

import numpy as np

from .corpus import Corpus
from .evidence import cite_span
from .records import Citation, Hit

# The chunk_id of a passage that is an article's header line rather than one of its chunks.
HEADER = -1

# What a question about the article asks for. The article itself must be what was written,
# published or updated ("Who wrote the CNN report on…", "When was this story last
# updated?"), not something the story mentions ("Who wrote the letter mentioned in this
# story?").
_NOUN = r"(article|report|story|piece|dispatch|item)"
_BEFORE_NOUN = r"(the|this|that|its|their)\s+([\w.’'-]+\s+){0,3}?"
_ASKS = {
    "author": re.compile(
        rf"\bwho (wrote|authored|reported|penned|filed)\s+{_BEFORE_NOUN}{_NOUN}\b"
        rf"|\b(authors?|byline|writers?|reporters?) (of|on|behind) {_BEFORE_NOUN}{_NOUN}\b"
        rf"|\bwho is (the )?(author|writer|reporter)\b.*\b{_NOUN}\b"
        rf"|\b{_NOUN}\b[^?]*\b(written|authored|bylined) by\b",
        re.I,
    ),
    "updated": re.compile(
        rf"\b{_NOUN}\b[^?]*\b(last )?(updated|modified|revised)\b"
        rf"|\b(update|modify|revise)[ds]?\s+{_BEFORE_NOUN}{_NOUN}\b",
        re.I,
    ),
    "published": re.compile(
        rf"\b{_NOUN}\b[^?]*\b(published|posted|put online|first appeared)\b"
        rf"|\b(publish|post)(ed|es|s)?\s+{_BEFORE_NOUN}{_NOUN}\b",
        re.I,
    ),
}
# The line's quotable part starts at the group "line" (a leading "date 2025-02-01" marker
# that some dumps carry is left out); a line may hold two parts split by "|".
_LINES = {
    "author": re.compile(r"^[ \t]*(?P<line>By\s+[A-Z])", re.M),
    "updated": re.compile(r"(?:^[ \t]*|\|\s*)(?P<line>(Last )?(Updated|Modified)\b)", re.I | re.M),
    "published": re.compile(
        r"(?:^[ \t]*|\|\s*)(date\s+\d{4}-\d\d-\d\d\s+)?(?P<line>(Originally )?(Published|Posted)\b)",
        re.I | re.M,
    ),
}
CONFIDENCE = 0.9


def asks_about_article(question: str) -> str | None:
    """ "author", "updated", "published" or None."""
    for field, pattern in _ASKS.items():
        if pattern.search(question):
            return field
    return None


def header_line(corpus: Corpus, doc_id: str, field: str) -> tuple[int, int] | None:
    """Offsets of the line above the story that gives ``field`` (its byline, say)."""
    doc = corpus.documents[doc_id]
    header = doc.text[: doc.body[0].start] if doc.body else ""
    for m in _LINES[field].finditer(header):
        start = m.start("line")
        # To the end of the line, or of its part ("Published: … | Updated: …").
        end = min(
            (i for i in (header.find("\n", start), header.find("|", start)) if i >= 0),
            default=len(header),
        )
        end = len(header[:end].rstrip())
        # A date line without a date ("Updated:" with the date below) answers nothing.
        if field == "author" or re.search(r"\d", header[start:end]):
            return start, end
    return None


def header_overlap(corpus: Corpus, words: set[str]) -> dict[str, int]:
    """For each live article whose header (outlet, author, title, the lines above
    its story) holds any of ``words``, how many of them it holds; in the order of
    ``corpus.documents``. One array operation a segment, not a look at every article."""
    found: dict[str, int] = {}
    for part in corpus.live:
        seg = part.segment
        held = seg.header_words
        vocabulary = held.vocabulary  # sorted
        at = {w: bisect.bisect_left(vocabulary, w) for w in words}
        known = [i for w, i in at.items() if vocabulary[i : i + 1] == [w]]
        if not known:
            continue
        hits = np.concatenate([[0], np.cumsum(np.isin(held.ids, known))])
        counts = hits[held.offsets[1:]] - hits[held.offsets[:-1]]
        names = list(seg.documents)
        for i in np.flatnonzero(counts).tolist():
            if names[i] not in part.dead:
                found[names[i]] = int(counts[i])
    return found


def sources_named(corpus: Corpus, question: str) -> list[str]:
    """The articles whose outlet or author the question names ("the Northern Wire Service
    report", "according to Reuters", "Jack Phillips's report")."""
    words = re.findall(r"\w+", question.lower())
    named: set[str] = set()
    for n in range(1, 6):
        for i in range(len(words) - n + 1):
            named |= corpus.sources.get(" ".join(words[i : i + n]), frozenset())
    return sorted(named)


def answer_about(corpus: Corpus, question: str, field: str, hits: list[Hit]) -> Citation | None:
    """The header line answering ``field`` for the article the question means: the one
    whose outlet or author it names; else the one whose outlet, author, title or header
    shares most of its capitalised words ("the CNN report"); else, when it names nothing,
    the best retrieved one. None when that article has no such line: another article's
    byline would be a wrong answer."""
    meant = sources_named(corpus, question)
    named = {w.lower() for w in re.findall(r"(?<=\S\s)[A-Z][\w.]*", question)}
    if not meant and named:
        overlap = header_overlap(corpus, named)
        most = max(overlap.values(), default=0)
        meant = [d for d, n in overlap.items() if n == most and n > 0]
    if not meant and not named and hits:
        meant = [hits[0].doc_id]  # the article the question most likely means
    for doc_id in meant:
        if span := header_line(corpus, doc_id, field):
            return cite_span(corpus, doc_id, *span, n=1, score=CONFIDENCE)
    return None


def header_passage(citation: Citation) -> Hit:
    """The header line as a passage, to show first with the answer it gave."""
    return Hit(
        citation.doc_id,
        HEADER,
        citation.start,
        citation.end,
        citation.quote,
        citation.score,
    )
