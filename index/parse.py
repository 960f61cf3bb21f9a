"""Read an article file and what its text says about itself: title, date, outlet, author."""

from __future__ import annotations

import re
from datetime import date

from .clean import body_spans
from .records import Article, Span


class BadArticle(ValueError):
    """An input that cannot be indexed; the message says what is wrong with it."""


_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATE_PATTERNS = [
    # 2025-02-01
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)\b"),
    # September 27, 2025 / Sept. 27 2025
    re.compile(_MONTH + r"\s+(?P<day>[0-3]?\d),?\s+(?P<year>(?:19|20)\d\d)\b", re.IGNORECASE),
    # 27 September 2025 / 01 FEB 25
    re.compile(
        r"\b(?P<day>[0-3]?\d)\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)?\d\d)\b", re.IGNORECASE
    ),
]
_MARKER = re.compile(r"^\s*date\s+(\d{4}-\d\d-\d\d)\s*", re.IGNORECASE)
_BYLINE = re.compile(r"^By\s+(?P<author>[^,\n]{3,80}?)(?:,\s*(?P<outlet>[A-Z][\w.&' ]{1,40}))?$")
_DATELINE = re.compile(r"^\((?P<outlet>[A-Z][\w.&' ]{1,30})\)\s*[—–-]")
_HEADLINE_WORDS = (4, 30)
_DATE_LINE_WORDS = 12
_TITLE_CHARS = 300


def find_date(line: str) -> date | None:
    """The first calendar date written in ``line``, in any of the usual news forms."""
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(line):
            g = m.groupdict()
            month = int(g["mnum"]) if g.get("mnum") else _MONTHS[g["month"].lower().rstrip(".")]
            year = int(g["year"])
            year += 2000 if year < 100 else 0
            try:
                return date(year, month, int(g["day"]))
            except ValueError:
                continue
    return None


def _words(s: str) -> set[str]:
    return {w for w in re.findall(r"\w+", s.lower()) if len(w) > 3}


def _is_headline(line: str) -> bool:
    n = len(line.split())
    return (
        _HEADLINE_WORDS[0] <= n <= _HEADLINE_WORDS[1]
        and not line.rstrip().endswith(".")
        and not line.lstrip().startswith(("•", "·", "-", "*", "By "))
        and find_date(line) is None
    )


def _title(header: list[str], body_text: str) -> str:
    """The headline: of the headline-like lines above the story, the one sharing most
    words with its opening (a site's menus share none)."""
    opening = _words(body_text)
    candidates = [line.strip() for line in header if _is_headline(line)]
    if candidates:
        return max(candidates, key=lambda c: (len(_words(c) & opening), -candidates.index(c)))
    return _first_line_title(body_text)


def _first_line_title(opening: str) -> str:
    """With no headline, the story's first line, whole, less its dateline ("(CNN) —");
    a line too long to be a title gives its first sentence, whole."""
    line = opening.strip().split("\n", 1)[0]
    line = _DATELINE.sub("", line, count=1).strip() or line
    if len(line) <= _TITLE_CHARS:
        return line
    import pysbd  # only for a long opening line with no headline above it

    sentences = pysbd.Segmenter(language="en", clean=False).segment(line)
    return str(sentences[0]).strip() if sentences else line


def parse(text: str, doc_id: str, source: str | None = None, name: str | None = None) -> Article:
    """Parse one article's text. The text is kept as given; only metadata is read off it.

    ``name`` (default ``doc_id``) is what a refusal names: the file, the feed entry.
    """
    name = name or doc_id
    if not text.strip():
        raise BadArticle(f"{name}: the article is empty")
    body = body_spans(text)
    if not body:
        raise BadArticle(f"{name}: no article text found (only menus, links or short lines)")

    header_end = body[0].start
    header = text[:header_end].splitlines()
    published = None
    marker = _MARKER.match(header[0]) if header else None
    if marker:
        published = date.fromisoformat(marker.group(1))
        header[0] = header[0][marker.end() :]
    # Dates stand on short lines of their own ("Updated: 01 FEB 25"); a long line above
    # the story is a caption, and its date is the photo's.
    for line in header + text[body[-1].end :].splitlines()[:3]:
        if published is None and len(line.split()) <= _DATE_LINE_WORDS:
            published = find_date(line)

    author = outlet = None
    for line in header + [text[body[0].start : body[0].end]]:
        line = line.strip()
        if m := _BYLINE.match(line):
            author, outlet = m.group("author").strip(), m.group("outlet") or outlet
        elif m := _DATELINE.match(line):
            outlet = outlet or m.group("outlet").strip()

    opening = "\n".join(text[s.start : s.end] for s in body[:2])
    return Article(
        doc_id=doc_id,
        text=text,
        title=_title(header, opening),
        published=published,
        source=source,
        outlet=outlet,
        author=author,
        body=body,
    )


__all__ = ["BadArticle", "Span", "parse", "find_date"]
