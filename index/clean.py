"""Find the story inside an article's text, leaving out site chrome.

Real articles arrive as page dumps: menus, share buttons, "Advertisement", lists of other
headlines, captions, footers. The text is never rewritten; instead each line is judged
content or chrome, and the story is the densest run of content (the body-text-extraction
idea of Finn et al.: maximise content inside the region, chrome outside it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from .records import Span

_BULLET = re.compile(r"^\s*[•·▪►›»\-\*]\s")
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")
_WORD = re.compile(r"\w+")
_BOILERPLATE = re.compile(
    r"^(advertisement|sponsored|story continues below( this ad)?|continue reading|read more|"
    r"subscribe( now)?|sign up|log ?in|share( this)?|follow us|related( articles| stories)?|"
    r"more from \w+|most (read|popular|searched)|top stories|latest news|trending|"
    r"end of article|copyright\b.*|all rights reserved.*|©.*)$",
    re.IGNORECASE,
)
# A story line has at least this many words; shorter lines without a full stop are
# menus, names and labels.
_MIN_WORDS = 5
# Chrome lines count against a region by their length, capped low: a block of share
# buttons between a story's first paragraph and the rest must not cut it off, while
# the dozens of menu and headline lines before and after a story still keep out a
# stray paragraph beyond them.
_MAX_PENALTY = 4


def _lines(text: str) -> Iterator[Span]:
    """Each non-blank line as the span of its stripped content."""
    for m in re.finditer(r"[^\n]+", text):
        raw = m.group()
        left = len(raw) - len(raw.lstrip())
        right = len(raw.rstrip())
        if right > left:
            yield Span(m.start() + left, m.start() + right)


def _key(line: str) -> str:
    return " ".join(_WORD.findall(line.lower()))


def is_story_line(line: str, repeats: int) -> bool:
    """Whether one line (seen ``repeats`` times in the page) reads as part of a story."""
    if repeats > 1 or _BULLET.match(line) or _BOILERPLATE.match(line.strip()):
        return False
    words = len(_WORD.findall(line))
    return words >= _MIN_WORDS and bool(_TERMINAL.search(line))


def body_spans(text: str) -> tuple[Span, ...]:
    """The spans of ``text`` that are the story, one per story line, in order."""
    lines = list(_lines(text))
    counts = Counter(_key(text[s.start : s.end]) for s in lines)
    story = [
        is_story_line(text[s.start : s.end], counts[_key(text[s.start : s.end])]) for s in lines
    ]
    scores = []
    for span, good in zip(lines, story, strict=True):
        words = len(_WORD.findall(text[span.start : span.end]))
        scores.append(words if good else -min(max(words, 2), _MAX_PENALTY))

    # Maximum-sum contiguous run of lines (Kadane).
    best, best_range, run, run_start = 0, (0, 0), 0, 0
    for i, score in enumerate(scores):
        if run <= 0:
            run, run_start = 0, i
        run += score
        if run > best:
            best, best_range = run, (run_start, i + 1)
    first, last = best_range
    return tuple(lines[i] for i in range(first, last) if story[i])


def sections(text: str, body: tuple[Span, ...]) -> list[Span]:
    """Group body lines into runs with nothing but whitespace between them.

    A chunk may span a section but never the chrome between two sections, so no
    passage ever carries an "Advertisement" line.
    """
    out: list[Span] = []
    for span in body:
        if out and not text[out[-1].end : span.start].strip():
            out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
    return out
