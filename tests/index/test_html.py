"""Saved web pages: the main text and the page's metadata, without its nav, footer or links."""

from datetime import date
from pathlib import Path

import pytest

from index import BadArticle, Store, index_paths, parse_html, read_article
from index.chunk import chunk, sentences

PAGES = Path(__file__).resolve().parent / "pages"
BRIDGE_URL = "https://www.valleycourier.example/news/2025/06/04/bridge-repairs-close-high-street"

# Per page: its metadata, lines of its story, and chrome that must not be stored.
EXPECTED = {
    "valley_courier_bridge.html": (
        ("Bridge repairs to close High Street for six weeks", date(2025, 6, 4)),
        ("Ellen Marsh", "The Valley Courier", BRIDGE_URL),
        [
            "High Street in Carlow will close to traffic for six weeks from Monday",
            "The county council said the work, costing £1.2m, could not wait",
            '"We know this will be disruptive, but the bridge has to be safe," said',
            "Mark Reid, who runs a bakery near the bridge, said takings fell by a third",
        ],
        ["Obituaries", "Subscribe", "Whatsapp", "Advertisement", "Photo: Valley Courier",
         "More from News", "fly-tipping", "Privacy policy", "All rights reserved", "cookies"],
    ),
    "globalwire_port_strike.htm": (
        ("Port strike halts Brazil grain exports", date(2025, 3, 17)),
        ("Maria Lopez", "Global Wire", None),
        [
            "SANTOS, Brazil (AP) — Dock workers at Brazil’s biggest port walked off the job",
            "agreed to a 9% pay rise, and that about 4,000 members had stopped work at dawn. (AP)",
            "Exporters warned that more than 60 ships were already waiting to load — Reuters",
            "called the walkout illegal. (AFP)",
        ],
        ["Markets", "Most read", "Soybean prices climb", "Tags:", "Terms of use", "cookies"],
    ),
    "sportsdesk_results.html": (
        ("Arsenal go three points clear as Chelsea held", date(2025, 1, 18)),
        (None, "Sports Desk", None),
        [
            "Arsenal moved three points clear at the top after a late winner at Villa Park",
            "| Everton | 2-1 | Fulham |",
            "Attendance at Villa Park was 42,640.",
        ],
        ["Scores & Fixtures", "Latest News", "Ten Hag", "Privacy Policy"],
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_saved_page_gives_its_story_and_metadata(name):
    (title, published), (author, outlet, url), story, chrome = EXPECTED[name]
    path = PAGES / name
    a = read_article(path)
    assert (a.title, a.published, a.author, a.outlet) == (title, published, author, outlet)
    assert a.source == (url or str(path.resolve()))
    body = "\n".join(a.text[s.start : s.end] for s in a.body)
    for line in story:
        assert line in body
    for junk in chrome:
        assert junk not in a.text
    # What is stored is the extracted text; every passage and quote is an offset into it.
    for piece in chunk(a) + sentences(a):
        assert a.text[piece.start : piece.end] == piece.text


def test_a_page_with_no_article_is_refused_naming_it(tmp_path):
    path = tmp_path / "menu.html"
    path.write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    )
    with pytest.raises(BadArticle, match="no article text") as e:
        read_article(path)
    assert str(path) in str(e.value)


def test_a_page_given_as_text_keeps_a_known_url_as_source():
    page = (PAGES / "sportsdesk_results.html").read_text()
    url = "https://sportsdesk.example/football/results-18-january"
    a = parse_html(page, "results", source=url)
    assert a.source == url and a.doc_id == "results"


def test_pages_are_indexed_beside_text_files_and_left_alone_when_unchanged(tmp_path, fake_embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in EXPECTED:
        (folder / name).write_bytes((PAGES / name).read_bytes())
    (folder / "note.txt").write_text(
        "Library reopens\n\nThe town library reopened on Monday after a two-year refit.\n"
    )
    store = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    try:
        report = index_paths(store, [folder], lambda: fake_embedder)
        assert report.added == [
            "globalwire_port_strike",
            "note",
            "sportsdesk_results",
            "valley_courier_bridge",
        ]
        bridge = store.document("valley_courier_bridge")
        assert bridge.source == BRIDGE_URL and "£1.2m" in bridge.text
        assert "More from News" not in bridge.text
        again = index_paths(store, [folder], lambda: fake_embedder, prune=True)
        assert (len(again.unchanged), again.added, again.updated, again.removed) == (4, [], [], [])
    finally:
        store.close()
