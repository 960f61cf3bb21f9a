"""Read an article file as it arrives: a saved web page, or text in whatever encoding its
site used.

UTF-8 is read as it is. Any other encoding is taken from charset-normalizer when it is
confident, and the text is stored as UTF-8 from then on; otherwise the file is refused with a
message naming it and the fix. Binary files are refused.
"""

from __future__ import annotations

from pathlib import Path

from .html import HTML_SUFFIXES, parse_html
from .parse import BadArticle, parse
from .records import Article

# Decoded text this messy (charset-normalizer's share of odd characters) is a wrong guess.
MAX_CHAOS = 0.2
# Below this coherence (how well the text reads as some language) a guess is not trusted.
MIN_COHERENCE = 0.5
_BOMS = {b"\xff\xfe": "utf-16", b"\xfe\xff": "utf-16"}


def decode(raw: bytes, name: str | Path) -> str:
    """The text of ``raw``; raise BadArticle naming ``name`` for binary or unknown encodings."""
    for bom, encoding in _BOMS.items():
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                break
    if b"\x00" in raw[:8192]:
        raise BadArticle(f"{name}: looks like a binary file, not an article's text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        bad = e.start
    from charset_normalizer import from_bytes

    # charset-normalizer's own first choice ranks messiness before language, and for an
    # English text with one pound sign prefers a Japanese code page; the candidate that
    # reads best as a language, less its mess, is the right one.
    candidates = [m for m in from_bytes(raw) if m.chaos <= MAX_CHAOS]
    best = max(candidates, key=lambda m: m.coherence - m.chaos, default=None)
    if best is None or best.coherence < MIN_COHERENCE:
        raise BadArticle(
            f"{name}: not UTF-8 (bad byte at position {bad}) and its encoding cannot be told "
            "with confidence; convert it to UTF-8, e.g. iconv -f LATIN1 -t UTF-8"
        )
    return str(best)


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise BadArticle(f"{path}: cannot read ({e.strerror})") from e
    if not raw.strip():
        raise BadArticle(f"{path}: the file is empty")
    return raw


def read_text(path: Path) -> str:
    """The decoded text of an article file; raise BadArticle for unreadable, empty or binary files."""
    return decode(_read_bytes(path), path)


def read_article(path: Path) -> Article:
    """Read and parse one article file: ``.html``/``.htm`` as a web page, the rest as text."""
    source = str(path.resolve())
    if path.suffix.lower() in HTML_SUFFIXES:
        # trafilatura reads the page's own charset declaration.
        return parse_html(_read_bytes(path), path.stem, source, name=str(path))
    return parse(read_text(path), path.stem, source, name=str(path))
