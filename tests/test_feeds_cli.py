"""``newsmon feeds``: add discovers and validates, import/export OPML, the config file keeps its comments."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main
from monitor.feeds.opml import read_opml, write_opml
from monitor.settings import load
from tests.harness import Item, rss, write_config
from tests.servers import FeedServer

SITE = ('<html><head><title>Tagblatt</title><link rel="alternate" type="application/rss+xml" '
        'title="Tagblatt – Politik" href="/rss/politik.xml"></head><body>Startseite</body></html>')


def _config(tmp_path: Path) -> Path:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    config.write_text("# Redaktionsmonitor – bitte Kommentare erhalten\n" + config.read_text("utf-8"), "utf-8")
    return config


def test_add_discovers_the_feed_of_a_site_page_and_keeps_the_file_readable(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with FeedServer() as server:
        server.serve("/rss/politik.xml", rss([Item("Gipfel in Budapest", "https://example.org/g.html")]))
        site = server.serve("/", SITE.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
        cli = CliRunner()
        first = cli.invoke(main, ["feeds", "add", site, "--interval", "10m", "--config", str(config)])
        again = cli.invoke(main, ["feeds", "add", site, "--config", str(config)])
        listed = cli.invoke(main, ["feeds", "list", "--json", "--config", str(config)])
    assert first.exit_code == 0, first.output
    assert "added 'Tagblatt – Politik'" in first.output
    assert again.exit_code == 0 and "already configured" in again.output
    (feed,) = load(config).feeds
    assert feed.name == "Tagblatt – Politik" and feed.url.endswith("/rss/politik.xml") and feed.interval == 600
    assert config.read_text("utf-8").startswith("# Redaktionsmonitor – bitte Kommentare erhalten")
    assert json.loads(listed.output)["name"] == "Tagblatt – Politik"


def test_add_refuses_a_page_without_a_feed_with_exit_2(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with FeedServer() as server:
        page = server.serve("/", b"<html><body>Keine Feeds hier</body></html>",
                            headers={"Content-Type": "text/html"})
        result = CliRunner().invoke(main, ["feeds", "add", page, "--config", str(config)])
    assert result.exit_code == 2 and "no feed found" in result.output
    assert load(config).feeds == ()


def test_import_adds_new_feeds_once_and_export_round_trips(tmp_path: Path) -> None:
    config = _config(tmp_path)
    opml = tmp_path / "abos.opml"
    opml.write_bytes(write_opml([("ORF", "https://rss.orf.at/news.xml"), ("SRF", "https://www.srf.ch/rss"),
                                 ("ORF", "https://rss.orf.at/oesterreich.xml")]))
    cli = CliRunner()
    first = cli.invoke(main, ["feeds", "import", str(opml), "--config", str(config)])
    second = cli.invoke(main, ["feeds", "import", str(opml), "--config", str(config)])
    assert "imported 3 feeds" in first.output and "imported 0 feeds" in second.output
    assert [f.name for f in load(config).feeds] == ["ORF", "SRF", "ORF (2)"]
    exported = cli.invoke(main, ["feeds", "export", "--config", str(config)])
    assert [url for _title, url in read_opml(exported.output.encode())] == [
        "https://rss.orf.at/news.xml", "https://www.srf.ch/rss", "https://rss.orf.at/oesterreich.xml"]


def test_import_of_real_opml_exports(tmp_path: Path, realdata: Path) -> None:
    config = _config(tmp_path)
    for source in sorted((realdata / "opml").glob("*.opml")):
        expected = {url for _title, url in read_opml(source.read_bytes())}
        result = CliRunner().invoke(main, ["feeds", "import", str(source), "--config", str(config)])
        assert result.exit_code == 0, result.output
        assert expected <= {feed.url for feed in load(config).feeds}
