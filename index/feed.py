"""Read an RSS or Atom feed as articles (feedparser), one per entry.

An entry's article is its full content where the feed carries it (``content:encoded``), or
else its summary, with the entry's own title, date, author and link. Its doc_id comes from
the entry's id, so reading the feed again finds the same articles, and the update that
follows adds only the new and changed ones.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from .html import is_url, parse_html
from .parse import BadArticle, parse
from .records import Article

FETCH_TIMEOUT = 30.0


@dataclass(frozen=True)
class Feed:
    """What one read of a feed gave: its entries' articles, and one message per entry
    that could not be read."""

    title: str
    articles: tuple[Article, ...]
    skipped: tuple[str, ...]


def _fetch(where: str, timeout: float) -> bytes:
    if is_url(where):
        import httpx

        try:
            r = httpx.get(where, timeout=timeout, follow_redirects=True)
            r.raise_for_status()
        except httpx.HTTPError as e:
            raise BadArticle(f"{where}: cannot fetch the feed ({e})") from e
        return r.content
    path = Path(where)
    if not path.is_file():
        raise BadArticle(f"{where}: no such feed file, and not an http(s) URL")
    return path.read_bytes()


def _doc_id(entry: Any) -> str:
    key = entry.get("id") or entry.get("link") or entry.get("title") or ""
    return "feed-" + hashlib.sha1(key.encode()).hexdigest()[:16]


def _published(entry: Any) -> date | None:
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return date(*when[:3]) if when else None


def _article(entry: Any, outlet: str | None, name: str) -> Article:
    doc_id, link = _doc_id(entry), entry.get("link")
    parts = entry.get("content") or []
    full = next((p for p in parts if p.get("value", "").strip()), None)
    content = full or entry.get("summary_detail") or {"value": entry.get("summary", "")}
    value = content.get("value", "")
    if not value.strip():
        raise BadArticle(f"{name}: the entry has neither content nor a summary")
    if "html" in content.get("type", "text/html"):
        article = parse_html(
            f"<html><body><article>{value}</article></body></html>", doc_id, link, name
        )
    else:
        article = parse(value, doc_id, link, name)
    return replace(
        article,
        title=entry.get("title") or article.title,
        published=_published(entry) or article.published,
        author=entry.get("author") or article.author,
        outlet=outlet or article.outlet,
        source=link or article.source,
    )


def read_feed(where: str, timeout: float = FETCH_TIMEOUT) -> Feed:
    """The articles of the feed at ``where``, a file or an http(s) URL; raise BadArticle if
    it cannot be fetched or is not a feed."""
    import feedparser

    parsed = feedparser.parse(_fetch(where, timeout))
    if not parsed.get("version"):  # the format feedparser recognised, '' for none
        reason = parsed.get("bozo_exception") or "no RSS or Atom elements in it"
        raise BadArticle(f"{where}: not an RSS or Atom feed ({reason})")
    outlet = parsed.feed.get("title")
    articles: dict[str, Article] = {}
    skipped = []
    for n, entry in enumerate(parsed.entries, 1):
        name = f"{where} entry {n} ({entry.get('title') or entry.get('link') or 'untitled'})"
        try:
            article = _article(entry, outlet, name)
        except BadArticle as e:
            skipped.append(str(e))
            continue
        if article.doc_id in articles:
            skipped.append(f"{name}: the feed lists this entry twice; the first is kept")
            continue
        articles[article.doc_id] = article
    return Feed(outlet or where, tuple(articles.values()), tuple(skipped))
