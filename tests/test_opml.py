"""OPML: real exports import, export round-trips, hostile XML is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.feeds.opml import read_opml, write_opml


def test_real_exports_import_with_nested_folders(realdata: Path) -> None:
    exports = sorted((realdata / "opml").glob("*.opml"))
    assert len(exports) == 4
    for export in exports:
        feeds = read_opml(export.read_bytes())
        assert feeds, export.name
        assert all(url.startswith(("http://", "https://")) and title for title, url in feeds)
    plenary = read_opml((realdata / "opml" / "plenary_awesome-rss-feeds_Germany_with_category.opml").read_bytes())
    assert ("Aktuell - FAZ.NET", "https://www.faz.net/rss/aktuell/") in plenary  # inside the "Germany" folder


def test_export_round_trips_titles_and_urls() -> None:
    feeds = [("Süddeutsche – Alles", "https://rss.sueddeutsche.de/alles?a=1&b=2"), ("<heise>", "https://h.de/x")]
    assert read_opml(write_opml(feeds)) == feeds


@pytest.mark.parametrize("body", [
    b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
    b'<opml><body><outline text="&b;" xmlUrl="https://x/"/></body></opml>',
    b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<opml><body><outline text="&x;" xmlUrl="https://x/"/></body></opml>',
    b"<html><body>no opml</body>",
])
def test_hostile_or_broken_opml_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(ConfigError, match="not a readable OPML file"):
        read_opml(body)
