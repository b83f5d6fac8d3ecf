"""Small edges that read wrong: a doubled error prefix, a local file URL losing a slash, IPv6 forms
of internal IPv4 addresses passing as public, an OPML error that does not say which file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.dedup.urls import canonical_url
from monitor.feeds.transport import is_public
from tests.harness import write_config
from tests.servers import FeedServer

BOMB = (b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b'<opml><body><outline text="&b;" xmlUrl="https://example.org/f"/></body></opml>')


def test_a_body_that_is_not_a_feed_says_so_once(tmp_path: Path) -> None:
    with FeedServer() as server:
        feeds = {"Json": server.serve("/j.json", b'{"something": "else"}'),
                 "Kaputt": server.serve("/k.xml", b"\x00\x01 nothing", headers={"Content-Type": "text/plain"})}
        config = write_config(tmp_path, feeds, {"hook": "json://127.0.0.1:9/h"})
        cli = CliRunner()
        assert cli.invoke(main, ["run", "--once", "--config", str(config)]).exit_code == 0
        report = json.loads(cli.invoke(main, ["status", "--json", "--config", str(config)]).output)
    errors = {feed["name"]: feed["last_error"] for feed in report["feeds"]}
    assert errors["Json"] == "not a feed: JSON without JSON Feed version and items"
    assert errors["Kaputt"].startswith("not a feed") and "not a feed: not a feed" not in errors["Kaputt"]


@pytest.mark.parametrize("url", ["file:///etc/passwd", "file:///home/leser/feeds/tagesschau.xml",
                                 "file://localhost/srv/feed.xml"])
def test_file_urls_keep_their_form(url: str) -> None:
    assert canonical_url(url) == url


@pytest.mark.parametrize("address", ["::127.0.0.1", "::10.0.0.1", "::169.254.169.254", "::ffff:127.0.0.1",
                                     "::ffff:192.168.0.1", "::ffff:0:127.0.0.1", "2002:7f00:1::1",
                                     "2002:a00:1::", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "::", "::1",
                                     "2001:0:4136:e378:8000:63bf:80ff:fffe"])
def test_ipv6_forms_of_internal_ipv4_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["::ffff:8.8.8.8", "2002:808:808::1", "64:ff9b::808:808", "2a00:1450:4001::1"])
def test_ipv6_forms_of_public_addresses_stay_public(address: str) -> None:
    assert is_public(address)


def test_an_opml_entity_bomb_names_the_file_in_check_and_in_import(tmp_path: Path) -> None:
    bomb = tmp_path / "bombe.opml"
    bomb.write_bytes(BOMB)
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}, feeds_opml="bombe.opml")
    checked = CliRunner().invoke(main, ["check", "--config", str(config)])
    assert checked.exit_code == 2
    assert checked.output.startswith(f"newsmon: error: {bomb}: feeds_opml: not a readable OPML file")
    plain = write_config(tmp_path / "plain", {}, {"hook": "json://127.0.0.1:9/h"})
    imported = CliRunner().invoke(main, ["feeds", "import", "--config", str(plain), str(bomb)])
    assert imported.exit_code == 2
    assert imported.output.startswith(f"newsmon: error: {bomb}: not a readable OPML file")
