"""RSS and Atom feeds: one article per entry, full content first; a re-read adds only news."""

import threading
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index import BadArticle, Store, read_feed, update

FEEDS = Path(__file__).resolve().parent / "feeds"
RSS = FEEDS / "valley_courier.rss"
BRIDGE = "https://www.valleycourier.example/news/2025/06/04/bridge-repairs-close-high-street"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server(tmp_path):
    """A folder served over HTTP on 127.0.0.1; yields (folder, base URL)."""
    handler = partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_feed_file_gives_one_article_per_entry_with_full_content_first():
    feed = read_feed(str(RSS))
    assert feed.title == "The Valley Courier - News"
    bridge, library = feed.articles
    assert (bridge.title, bridge.published, bridge.author, bridge.source) == (
        "Bridge repairs to close High Street for six weeks",
        date(2025, 6, 4),
        "Ellen Marsh",
        BRIDGE,
    )
    # content:encoded, not the one-line description
    assert "costing £1.2m" in bridge.text and "<p>" not in bridge.text
    assert len(bridge.body) == 4
    # no content:encoded: the summary
    assert library.text.startswith("The town library in Northgate will reopen on Saturday")
    assert library.outlet == "The Valley Courier - News"
    # an entry with nothing to read is named in a message, not dropped silently
    assert len(feed.skipped) == 1
    assert "Photo gallery: summer fair" in feed.skipped[0] and str(RSS) in feed.skipped[0]


def test_an_atom_feed_is_read_too(tmp_path):
    atom = tmp_path / "feed.atom"
    atom.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Global Wire</title>'
        "<updated>2025-03-17T11:40:00Z</updated><id>urn:globalwire</id>"
        "<entry><title>Port strike halts Brazil grain exports</title>"
        '<link href="https://globalwire.example/a/port-strike"/><id>urn:gw:1</id>'
        "<updated>2025-03-17T09:12:00Z</updated><author><name>Maria Lopez</name></author>"
        '<content type="html">&lt;p&gt;Dock workers at Brazil\'s biggest port walked off the job '
        "on Monday, halting grain shipments. (AP)&lt;/p&gt;</content></entry></feed>"
    )
    (article,) = read_feed(str(atom)).articles
    assert (article.title, article.author, article.published, article.source) == (
        "Port strike halts Brazil grain exports",
        "Maria Lopez",
        date(2025, 3, 17),
        "https://globalwire.example/a/port-strike",
    )
    assert article.text.strip().endswith("halting grain shipments. (AP)")


def test_reading_a_feed_again_adds_only_new_or_changed_entries(
    feed_server, tmp_path, fake_embedder
):
    folder, base = feed_server
    (folder / "news.rss").write_bytes(RSS.read_bytes())
    url = f"{base}/news.rss"
    store = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    try:
        first = read_feed(url)
        assert [a.text for a in first.articles] == [a.text for a in read_feed(str(RSS)).articles]
        assert len(update(store, first.articles, lambda: fake_embedder).added) == 2

        again = update(store, read_feed(url).articles, lambda: fake_embedder)
        assert (again.added, again.updated, len(again.unchanged), again.embedded) == ([], [], 2, 0)

        # The site corrects one story and publishes another.
        changed = RSS.read_text().replace("costing £1.2m", "costing £1.4m")
        new_item = (
            "<item><title>Council tax to rise by 4.9%</title>"
            "<link>https://www.valleycourier.example/news/2025/06/05/council-tax</link>"
            "<guid>vc-2025-06-05-tax</guid><pubDate>Thu, 05 Jun 2025 10:00:00 +0100</pubDate>"
            "<description>Council tax bills in the valley will rise by 4.9% from April, "
            "the council confirmed on Thursday.</description></item>"
        )
        (folder / "news.rss").write_text(changed.replace("</channel>", new_item + "</channel>"))
        third = update(store, read_feed(url).articles, lambda: fake_embedder)
        assert (len(third.added), len(third.updated), len(third.unchanged)) == (1, 1, 1)
        assert "£1.4m" in store.document(third.updated[0]).text
    finally:
        store.close()


def test_a_missing_or_broken_feed_is_refused_saying_why(feed_server, tmp_path):
    folder, base = feed_server
    (folder / "page.html").write_text("<html><body><p>Not a feed at all.</p></body></html>")
    for where, reason in [
        (f"{base}/missing.rss", "cannot fetch the feed"),
        (f"{base}/page.html", "not an RSS or Atom feed"),
        (str(tmp_path / "nowhere.rss"), "no such feed file"),
    ]:
        with pytest.raises(BadArticle, match=reason) as e:
            read_feed(where)
        assert where in str(e.value)
