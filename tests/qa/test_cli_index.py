"""`qa index` on feeds: fetched over HTTP, indexed with the real model, re-read for news only."""

from typer.testing import CliRunner

from qa.cli import app

from ..index.test_feed import RSS, feed_server  # noqa: F401  (a fixture)


def test_index_a_feed_from_a_local_server_then_again(feed_server, tmp_path, caplog):  # noqa: F811
    folder, base = feed_server
    (folder / "news.rss").write_bytes(RSS.read_bytes())
    where = tmp_path / "index"
    args = ["index", "--feed", f"{base}/news.rss", "--index-dir", str(where)]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "2 added, 0 updated, 0 unchanged, 0 removed, 1 skipped as bad" in first.output
    # the skipped entry is named in a warning
    assert any("Photo gallery: summer fair" in r.getMessage() for r in caplog.records)
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "0 added, 0 updated, 2 unchanged" in again.output
    assert "0 texts embedded" in again.output


def test_index_needs_files_or_a_feed(tmp_path):
    result = CliRunner().invoke(app, ["index", "--index-dir", str(tmp_path / "index")])
    assert result.exit_code == 2 and "--feed URL_OR_FILE" in result.output
