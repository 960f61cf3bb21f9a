"""Read a saved web page: its main text and what the page says about itself (trafilatura).

The stored text of a page is the text trafilatura extracts, so quotes are offsets into it;
the cleaner then reads that text like any other, for what little chrome trafilatura leaves.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from .parse import BadArticle, parse
from .records import Article

HTML_SUFFIXES = (".html", ".htm")


def is_url(source: str | None) -> bool:
    return bool(source) and source.startswith(("http://", "https://"))  # type: ignore[union-attr]


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def parse_html(
    page: str | bytes, doc_id: str, source: str | None = None, name: str | None = None
) -> Article:
    """The article in a web page. Title, date, author and site name come from the page's
    metadata where it has them; ``source`` becomes the page's own URL where it names one."""
    import trafilatura
    from trafilatura.settings import Document

    name = name or doc_id
    doc = trafilatura.bare_extraction(
        page,
        url=source if is_url(source) else None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
    )
    text = (doc.text or "").strip() if isinstance(doc, Document) else ""
    if not isinstance(doc, Document) or not text:
        raise BadArticle(f"{name}: no article text found in the web page")
    article = parse(text + "\n", doc_id, source, name=name)
    return replace(
        article,
        title=doc.title or article.title,
        published=_date(doc.date) or article.published,
        author=doc.author or article.author,
        outlet=doc.sitename or article.outlet,
        source=doc.url if is_url(doc.url) else source,
    )
