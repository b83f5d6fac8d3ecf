"""Feeds named by content (a fetched page, an OPML file) are http(s) only and fetched with the
private-address guard; local files and file:// are for feeds a person wrote into monitor.yaml.

Every server here is on 127.0.0.1, which the guard refuses like any internal address; feeds the
user configured on the same server are fetched as always."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from monitor.cli import main
from monitor.feeds.opml import write_opml
from monitor.settings import load
from tests.harness import Item, rss, write_config
from tests.servers import FeedServer

GEHEIM = rss([Item("Interne Notiz", "https://example.org/intern.html", guid="intern")])
OFFEN = rss([Item("Tomahawk-Lieferung beraten", "https://example.org/t.html", guid="t")])


def _page(*links: str) -> bytes:
    tags = "".join(f'<link rel="alternate" type="application/rss+xml" title="Feed {i}" href="{href}">'
                   for i, href in enumerate(links))
    return f"<!doctype html><html><head><title>Seite</title>{tags}</head><body>x</body></html>".encode()


def _cli(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--config", str(config)])
    return result.exit_code, result.output


def test_feeds_add_never_takes_a_local_file_a_page_links_to(tmp_path: Path) -> None:
    local = tmp_path / "geheim.xml"
    local.write_bytes(GEHEIM)
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    before = config.read_text("utf-8")
    with FeedServer() as server:
        page = server.serve("/", _page(local.as_uri()), headers={"Content-Type": "text/html"})
        code, output = _cli(config, "feeds", "add", page)
    assert code == 2 and "no feed found" in output
    assert config.read_text("utf-8") == before and "file:" not in config.read_text("utf-8")


def test_feeds_add_marks_a_feed_on_another_host_and_checks_it_with_the_guard(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    with FeedServer() as server:
        elsewhere = f"http://localhost:{server.port}/anderswo.xml"  # another host name, on loopback
        server.serve("/anderswo.xml", OFFEN)
        server.serve("/eigen.xml", OFFEN)
        page = server.serve("/", _page(elsewhere, server.url("/eigen.xml")), headers={"Content-Type": "text/html"})
        code, output = _cli(config, "feeds", "add", page)
        assert server.hits["/anderswo.xml"] == 0  # refused by the guard while validating
    assert code == 0, output
    (feed,) = load(config).feeds
    assert feed.url == server.url("/eigen.xml") and feed.origin == "config"

    allowing = write_config(tmp_path / "b", {}, {"hook": "json://127.0.0.1:9/h"}, http={"allow_private": True})
    with FeedServer() as server:
        elsewhere = f"http://localhost:{server.port}/anderswo.xml"
        server.serve("/anderswo.xml", OFFEN)
        page = server.serve("/", _page(elsewhere), headers={"Content-Type": "text/html"})
        code, output = _cli(allowing, "feeds", "add", page)
    assert code == 0, output
    (feed,) = load(allowing).feeds
    assert feed.url == elsewhere and feed.origin == "discovered"


def test_feeds_import_takes_only_http_feeds_and_marks_them(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    (tmp_path / "geheim.xml").write_bytes(GEHEIM)
    opml = tmp_path / "liste.opml"
    opml.write_bytes(write_opml([("Datei", (tmp_path / "geheim.xml").as_uri()), ("Absolut", "/etc/passwd"),
                                 ("Relativ", "../geheim.xml"), ("Windows", "C:\\feeds\\x.xml"),
                                 ("Web", "http://127.0.0.1:9/feed.xml")]))
    code, output = _cli(config, "feeds", "import", str(opml))
    assert code == 0, output
    assert "imported 1 feeds" in output and "4 refused" in output
    (feed,) = load(config).feeds
    assert (feed.name, feed.origin) == ("Web", "opml")
    written = yaml.safe_load(config.read_text("utf-8"))["feeds"]
    assert written == [{"name": "Web", "url": "http://127.0.0.1:9/feed.xml", "origin": "opml"}]


def test_feeds_opml_with_a_local_path_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    opml = tmp_path / "liste.opml"
    for bad in ("file:///etc/passwd", "/etc/passwd", "../../etc/passwd"):
        opml.write_bytes(write_opml([("Lokal", bad)]))
        config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, feeds_opml="liste.opml")
        code, output = _cli(config, "check")
        assert code == 2, output
        assert output.startswith(f"newsmon: error: {opml}: outline 'Lokal': feeds from OPML must be http(s)")


def test_opml_feeds_are_polled_with_the_guard_and_user_feeds_without(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.serve("/opml.xml", OFFEN)
        mine = server.serve("/mine.xml", OFFEN)
        opml = tmp_path / "liste.opml"
        opml.write_bytes(write_opml([("Aus OPML", server.url("/opml.xml"))]))
        config = write_config(tmp_path, {"Meiner": mine}, {"hook": "json://127.0.0.1:9/h"}, feeds_opml="liste.opml")
        code, output = _cli(config, "check")
        assert code == 0, output
        assert "warning: feed 'Aus OPML'" in output and "non-public address 127.0.0.1" in output
        assert "refused when polled" in output and "Meiner" not in output.split("warning:", 1)[1]
        assert _cli(config, "run", "--once")[0] == 0
        report = json.loads(_cli(config, "status", "--json")[1])
        assert server.hits["/opml.xml"] == 0 and server.hits["/mine.xml"] == 1
    errors = {feed["name"]: feed["last_error"] for feed in report["feeds"]}
    assert errors["Meiner"] is None
    assert errors["Aus OPML"] == "refused to fetch from non-public address 127.0.0.1"


def test_an_imported_feed_keeps_the_guard_and_allow_private_lifts_it(tmp_path: Path) -> None:
    with FeedServer() as server:
        server.serve("/opml.xml", OFFEN)
        opml = tmp_path / "liste.opml"
        opml.write_bytes(write_opml([("Aus OPML", server.url("/opml.xml"))]))
        config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
        assert _cli(config, "feeds", "import", str(opml))[0] == 0
        assert _cli(config, "run", "--once")[0] == 0
        assert server.hits["/opml.xml"] == 0
        data = yaml.safe_load(config.read_text("utf-8"))
        data["http"] = {"allow_private": True}
        config.write_text(yaml.safe_dump(data), "utf-8")
        code, output = _cli(config, "check")
        assert code == 0, output
        assert "fetched only because http.allow_private is true" in output
        data["database"] = f"sqlite:///{tmp_path / 'neu.db'}"  # due again at once
        config.write_text(yaml.safe_dump(data), "utf-8")
        report = _cli(config, "run", "--once")
        assert server.hits["/opml.xml"] == 1, report
