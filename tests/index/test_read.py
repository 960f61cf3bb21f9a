"""Reading article files in the encoding their site used; refusing what cannot be read."""

import pytest

from index import BadArticle, Store, index_paths, read_article

from ..conftest import shared_corpus

BBC = shared_corpus("bbc")

STORY = (
    "Chelsea sign striker\n\n"
    "Chelsea have signed the Romanian striker for £15.8m from Parma, the club said on Friday.\n\n"
    "The 25-year-old scored six goals in his first five games for his former club last season.\n"
)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8", "utf-8-sig", "utf-16"])
def test_text_in_a_known_encoding_is_read_as_written(tmp_path, encoding):
    path = tmp_path / "mutu.txt"
    path.write_bytes(STORY.encode(encoding))
    article = read_article(path)
    assert article.text == STORY
    assert "£15.8m" in article.text


def test_windows_quotes_and_euro_signs_are_read(tmp_path):
    story = (
        "Prices rise in Berlin\n\n“Bread now costs €3.20 a loaf,” said the baker, who has run the "
        "shop in Kreuzberg for twenty years. Customers say they will keep buying it anyway.\n"
    )
    path = tmp_path / "berlin.txt"
    path.write_bytes(story.encode("cp1252"))
    assert read_article(path).text == story


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        (bytes(range(128, 256)) * 8, "convert it to UTF-8"),
        (b"caf\xe9 au lait", "convert it to UTF-8"),  # too little text to tell
    ],
)
def test_unreadable_files_are_refused_naming_the_file_and_the_fix(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(BadArticle, match=reason) as e:
        read_article(path)
    assert str(path) in str(e.value)


def test_a_latin1_file_is_stored_as_utf8_and_then_left_alone(tmp_path, fake_embedder):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "mutu.txt").write_bytes(STORY.encode("latin-1"))
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    store = Store(tmp_path / "index", fake_embedder.name, fake_embedder.dim)
    try:
        report = index_paths(store, [folder], lambda: fake_embedder)
        assert report.added == ["mutu"]
        assert len(report.skipped) == 1 and "photo.txt" in report.skipped[0]
        assert store.document("mutu").text == STORY
        again = index_paths(store, [folder], lambda: fake_embedder)
        assert (again.unchanged, again.added, again.updated) == (["mutu"], [], [])
    finally:
        store.close()


@pytest.mark.skipif(not BBC.is_dir(), reason="../shared/corpora/bbc is not here")
def test_the_latin1_bbc_file_keeps_its_pound_sign():
    article = read_article(BBC / "sport_199.txt")
    assert "a £15.8m signing from Parma" in article.text
