"""Find the story inside an article's text, leaving out site chrome.

Real articles arrive as page dumps: menus, share buttons, "Advertisement", lists of other
headlines, captions, footers. The text is never rewritten. Each line is read for what it is
(prose, a data row, a short label, a headline, or chrome), and the story is the densest run of
story-like lines over the whole page (the body-text-extraction idea of Finn et al.: maximise
content inside the region, chrome outside it). Inside that run everything but chrome is kept,
and the run goes on over the tables, team sheets and lists that close a story, up to the first
chrome after it. No rule looks at one line alone: whether open lines are story depends on the
page (a live blog's are), and a short line is chrome when it stands against chrome.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from enum import Enum

from .records import Span


class Kind(Enum):
    """What one line of a page reads as."""

    PROSE = "prose"  # a sentence, closed by a full stop, question or exclamation mark
    OPEN_PROSE = "open prose"  # running prose left open: live-blog updates, captions
    ROW = "row"  # data: scores, team sheets, results, times, lists of names
    LABEL = "label"  # a short line: a name, a place, a sub-head, a menu item
    HEADLINE = "headline"  # a title-like line of five words or more
    CHROME = "chrome"  # boilerplate, repeated lines, menus, lists of other headlines


_BULLET = re.compile(r"^(?:[•·▪►›»\-\*–—]|\d{1,2}[.)])\s+")
_TERMINAL = re.compile(r"[.!?…:][\"'”’)\]]*$|[\"”’]$")
# A wire service's tag closing a paragraph: "(AP)", "— Reuters", "(AFP/dpa)".
_WIRE_TAG = re.compile(r"\s*(?:\((?:[A-Z][\w.&/-]*\s?){1,3}\)|[—–]\s*(?:[A-Z][\w.&/-]*\s?){1,3})$")
_SEPARATORS = re.compile(r",|;|\||\t| [-–—] ")
_FIXTURE = re.compile(r"\w v(s\.?)? \w")  # "Chelsea v Arsenal": a row of a fixture list
_DIGITS = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_BOILERPLATE = re.compile(
    r"^(advertisement|sponsored( content)?|story continues below( this ad)?|continue reading|"
    r"read (more|next|full story)|subscribe\b.*|sign (up|in)\b.*|log ?in|share( this( article| story)?)?|"
    r"share (on|via) .*|follow us\b.*|related( articles| stories| content| topics)?:?|"
    r"more (from|on|stories|news) ?.*|(more )?(most (read|popular|viewed|searched)|top stories|"
    r"latest (news|stories)|trending( now)?)\b.*|you (may|might) (also )?like|"
    r"recommended( for you)?|end of article|back to top|skip to (main )?content|"
    r"copyright\b.*|all rights reserved.*|©.*|privacy policy.*|terms (of use|and conditions).*|"
    r"cookie (policy|settings).*|about us\b.*|contact us\b.*|comments?( \(\d+\))?|"
    r"(related|read more|read also|see also|more|watch|listen|video)\s*:.*|"
    r"(facebook|twitter|whatsapp|email|linkedin|reddit|x|print|copy link)"
    r"( (facebook|twitter|whatsapp|email|linkedin|reddit|x|print|copy link))*)$",
    re.IGNORECASE,
)
# A caption closes on its picture's credit: "... in April. Photo: Valley Courier".
_CREDIT = re.compile(
    r"(\b(photo(graph)?|picture|image|credit|illustration)s?\s*:\s*[^.!?]{2,60}|"
    r"\bgetty images|\bshutterstock|\bap photo\b[^.!?]*)$",
    re.IGNORECASE,
)
# Headings over a list of links to other stories: the line under one is a link, whatever
# it reads like.
_LIST_HEADING = re.compile(
    r"^(related( articles| stories| content| topics)?|more (from|on|stories|news)\b.*|"
    r"read (more|next|also)|(most (read|popular|viewed|searched)|top stories|latest (news|stories)|"
    r"trending( now)?)\b.*|you (may|might) (also )?like|recommended( for you)?)\W*$",
    re.IGNORECASE,
)
# Words that running prose cannot do without and headlines leave out: articles,
# auxiliaries, pronouns. Two of them make an open line prose rather than a title.
_FUNCTION_WORDS = frozenset((
    "the", "a", "an", "is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
    "will", "would", "could", "should", "can", "may", "might", "must", "do", "does", "did", "it",
    "its", "he", "she", "they", "we", "i", "you", "his", "her", "their", "our", "them", "him",
    "this", "that", "these", "those", "who", "which", "there", "not", "said",
))  # fmt: skip
_MIN_PROSE_WORDS = 5
_MIN_OPEN_PROSE_WORDS = 6
_MIN_OPENING_WORDS = 10
_SHOULDER_WORDS = 3
# Chrome lines count against a region by their length, capped low: a block of share
# buttons between a story's first paragraph and the rest must not cut it off, while
# the dozens of menu and headline lines before and after a story still keep out a
# stray paragraph beyond them.
_MAX_PENALTY = 4
_WEAK = (Kind.LABEL, Kind.HEADLINE)
_MENU_WORDS = 4


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


def _content_kind(line: str) -> Kind:
    words = line.split()
    if not words:
        return Kind.LABEL
    untagged = _WIRE_TAG.sub("", line) or line
    closed = bool(_TERMINAL.search(untagged))
    if closed and (len(words) >= _MIN_PROSE_WORDS or line.endswith("?") and len(words) >= 3):
        return Kind.PROSE
    function = sum(w.strip("\"'“”‘’(),.:;").lower() in _FUNCTION_WORDS for w in words)
    if len(words) >= _MIN_OPEN_PROSE_WORDS and function >= 2:
        return Kind.OPEN_PROSE
    if _DIGITS.search(line) or len(_SEPARATORS.findall(line)) >= 2 or _FIXTURE.search(line):
        return Kind.ROW
    return Kind.HEADLINE if len(words) >= _MIN_PROSE_WORDS else Kind.LABEL


def _title_cased(line: str) -> bool:
    words = [w for w in _WORD.findall(line) if not w.isdigit()]
    return sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def line_kind(line: str, repeats: int = 1) -> Kind:
    """What one line (seen ``repeats`` times in the page) reads as, on its own."""
    line = line.strip()
    if _BOILERPLATE.match(line) or _CREDIT.search(line) or (repeats > 1 and len(line.split()) >= 2):
        return Kind.CHROME
    bullet = _BULLET.match(line)
    return _content_kind(line[bullet.end() :] if bullet else line)


def _menus(lines: list[str], kinds: list[Kind]) -> None:
    """A bulleted list of a few capitalised words an item is a menu ("• Home", "• Live
    TV"): chrome. A list of sentences, figures or longer phrases is the story's own."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _BULLET.match(lines[j]):
            j += 1
        items = [lines[k][_BULLET.match(lines[k]).end() :] for k in range(i, j)]  # type: ignore[union-attr]
        sizes = sorted(len(item.split()) for item in items)
        if items and sizes[len(sizes) // 2] <= _MENU_WORDS and all(map(_title_cased, items)):
            kinds[i:j] = [Kind.CHROME] * (j - i)
        i = max(j, i + 1)


def _spread_chrome(kinds: list[Kind], weak: tuple[Kind, ...]) -> None:
    """Weak lines next to chrome, with only other weak lines between, are chrome too: a
    caption under "Advertisement", the headlines under "More from World"."""
    for order in (range(len(kinds)), range(len(kinds) - 1, -1, -1)):
        tainted = False
        for i in order:
            if kinds[i] is Kind.CHROME:
                tainted = True
            elif kinds[i] in weak:
                if tainted:
                    kinds[i] = Kind.CHROME
            else:
                tainted = False


def _opens(line: str) -> bool:
    kind = _content_kind(line)
    if kind is Kind.PROSE and _WIRE_TAG.sub("", line).rstrip("\"'”’)]").endswith("."):
        return True
    return kind in (Kind.PROSE, Kind.OPEN_PROSE) and len(line.split()) >= _MIN_OPENING_WORDS


def _leads(read: list[tuple[Span, Kind]], i: int) -> bool:
    return i + 1 < len(read) and read[i + 1][1] is Kind.PROSE


def _score(kind: Kind, words: int, open_is_story: bool) -> int:
    if kind is Kind.PROSE or (kind is Kind.OPEN_PROSE and open_is_story):
        return words
    if kind is Kind.OPEN_PROSE or kind is Kind.ROW:
        return 1
    if kind is Kind.LABEL:
        return -1
    if kind is Kind.HEADLINE:
        return -2
    return -min(max(words, 2), _MAX_PENALTY)


def read_lines(text: str) -> tuple[list[tuple[Span, Kind]], bool]:
    """Every non-blank line of ``text`` with what it reads as, judged over the whole page,
    and whether open prose is this page's story (a live blog) or not."""
    lines = list(_lines(text))
    counts = Counter(_key(text[s.start : s.end]) for s in lines)
    kinds = [line_kind(text[s.start : s.end], counts[_key(text[s.start : s.end])]) for s in lines]
    _menus([text[s.start : s.end] for s in lines], kinds)
    for i in range(1, len(lines)):
        if _LIST_HEADING.match(text[lines[i - 1].start : lines[i - 1].end]):
            kinds[i] = Kind.CHROME if kinds[i] is not Kind.PROSE else kinds[i]
    # Open prose is story where it is the page's habit (a live blog); on a page whose
    # story closes its sentences, an open line is a caption or a teaser until shown
    # otherwise by where it stands.
    prose = kinds.count(Kind.PROSE)
    open_prose = kinds.count(Kind.OPEN_PROSE)
    open_is_story = open_prose >= 2 and 2 * open_prose >= prose
    _spread_chrome(kinds, _WEAK if open_is_story else (*_WEAK, Kind.OPEN_PROSE))
    return list(zip(lines, kinds, strict=True)), open_is_story


def body_spans(text: str) -> tuple[Span, ...]:
    """The spans of ``text`` that are the story, one per story line, in order."""
    read, open_is_story = read_lines(text)
    scores = [_score(kind, len(text[s.start : s.end].split()), open_is_story) for s, kind in read]
    # Maximum-sum contiguous run of lines (Kadane).
    best, best_range, run, run_start = 0, (0, 0), 0, 0
    for i, score in enumerate(scores):
        if run <= 0:
            run, run_start = 0, i
        run += score
        if run > best:
            best, best_range = run, (run_start, i + 1)
    first, last = best_range
    if best == 0:
        return ()
    # The story opens with a statement or a paragraph; a figure, a short question or a
    # short open line above it is a date line or a headline.
    opening = [
        i
        for i in range(first, last)
        if read[i][1] is not Kind.CHROME
        and _opens(text[read[i][0].start : read[i][0].end])
        # where open prose is not the page's habit, an open line opens the story only as
        # its lead-in, right above its first sentence: a headline has a byline or date
        # under it
        and (open_is_story or read[i][1] is not Kind.OPEN_PROSE or _leads(read, i))
    ]
    first = opening[0] if opening else first
    # A time set solid on the opening paragraph's shoulder ("16:05 GMT") is its own.
    while (
        first > 0
        and read[first - 1][1] is Kind.ROW
        and len(text[read[first - 1][0].start : read[first - 1][0].end].split()) <= _SHOULDER_WORDS
        and text[read[first - 1][0].end : read[first][0].start].count("\n") == 1
    ):
        first -= 1
    # A story's closing table, team sheet or list scores little line by line; it belongs
    # to the story up to the first chrome after it.
    while last < len(read) and read[last][1] is not Kind.CHROME:
        last += 1
    return tuple(span for span, kind in read[first:last] if kind is not Kind.CHROME)


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
