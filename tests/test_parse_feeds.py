"""parse(): real German feeds, the formats, plain text out, absolute links, UTC dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.feeds.parse.encoding import fix_declared_encoding
from monitor.feeds.parse.reader import parse

UMLAUTS = set("äöüÄÖÜß")


def test_tagesschau_feed_has_umlauts_links_and_utc_dates(realdata: Path) -> None:
    feed = parse((realdata / "corss-dec2024-snapshot" / "tagesschau.xml").read_bytes(),
                 "https://www.tagesschau.de/xml/rss2/")
    assert feed.entries
    text = " ".join(e.title + " " + e.summary for e in feed.entries)
    assert UMLAUTS & set(text)
    assert "Ã" not in text and "&amp;" not in text and "<p>" not in text
    for entry in feed.entries:
        assert entry.link and entry.link.startswith("https://")
        assert entry.published is None or entry.published.tzinfo == UTC


def test_spiegel_feed_declaring_latin1_with_utf8_bytes_yields_correct_umlauts(realdata: Path) -> None:
    body = (realdata / "elixir-scrape-feeds" / "feed_spiegel.xml").read_bytes()
    assert b'encoding="ISO-8859-1"' in body[:100]
    feed = parse(body, "http://www.spiegel.de/schlagzeilen/index.rss")
    text = " ".join(e.title + " " + e.summary for e in feed.entries)
    assert len(feed.entries) == 30
    assert "Unglück" in text and "Ã" not in text


def test_genuine_latin1_feed_keeps_its_encoding() -> None:
    body = ("<?xml version='1.0' encoding='ISO-8859-1'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>Grüße aus Köln</title></item></channel></rss>").encode("latin-1")
    assert fix_declared_encoding(body) == body
    assert parse(body, "").entries[0].title == "Grüße aus Köln"


def test_latin1_declaration_with_utf8_bytes_is_redeclared() -> None:
    body = ("\n  <?xml version='1.0' encoding='iso-8859-1'?><rss version='2.0'><channel><title>t</title>"
            "<item><title>Grüße</title></item></channel></rss>").encode()
    assert fix_declared_encoding(body).startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert parse(body, "").entries[0].title == "Grüße"


RSS091 = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Alt</title><link>http://example.org/</link>
<item><title>Eins &amp; zwei</title><link>/eins</link><description>Text</description></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://example.org/"><title>RDF</title><link>http://example.org/</link></channel>
<item rdf:about="http://example.org/1"><title>Erster</title><link>http://example.org/1</link>
<dc:date>2025-03-09T10:00:00+01:00</dc:date></item></rdf:RDF>"""

RSS20 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Zwei</title>
<item><title><![CDATA[<b>Fett</b> und mager]]></title><link>https://example.org/x?id=1</link>
<guid isPermaLink="false">abc-1</guid><pubDate>Sat, 21 Nov 2026 12:00:00 +0100</pubDate>
<description>&lt;p&gt;Kurz&lt;/p&gt;</description>
<content:encoded><![CDATA[<p>Lang <script>evil()</script>und <a href="/y">ausführlich</a></p>
<p>Zweiter</p>]]></content:encoded>
</item></channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/"><title>Atom</title>
<link href="https://example.org/"/>
<entry><title type="html">A &lt;i&gt;b&lt;/i&gt;</title><id>urn:uuid:1</id>
<link rel="alternate" href="posts/1"/><updated>2026-11-21T11:00:00Z</updated>
<summary>Zusammenfassung</summary></entry></feed>"""

JSONFEED = json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "JSON", "home_page_url": "https://example.org/",
    "items": [{"id": "j1", "url": "https://example.org/j1", "title": "Jason",
               "content_html": "<p>Hallo <em>Welt</em></p>", "date_published": "2026-11-21T10:00:00+02:00"}],
}).encode()


def test_rss_091_relative_link_is_made_absolute() -> None:
    feed = parse(RSS091, "https://example.org/feed.rss")
    assert feed.title == "Alt"
    assert feed.entries[0].title == "Eins & zwei"
    assert feed.entries[0].link == "https://example.org/eins"


def test_rss_10_rdf_with_dc_date() -> None:
    entry = parse(RSS10, "http://example.org/rss").entries[0]
    assert entry.title == "Erster"
    assert entry.published == datetime(2025, 3, 9, 9, 0, tzinfo=UTC)


def test_rss_20_fields_are_plain_text() -> None:
    entry = parse(RSS20, "https://example.org/feed").entries[0]
    assert entry.title == "Fett und mager"
    assert entry.summary == "Kurz"
    assert entry.body == "Lang und ausführlich\nZweiter"
    assert entry.guid == "abc-1"
    assert entry.published == datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


def test_atom_with_xml_base() -> None:
    feed = parse(ATOM, "https://example.org/atom.xml")
    entry = feed.entries[0]
    assert entry.title == "A b"
    assert entry.link == "https://example.org/blog/posts/1"
    assert entry.guid == "urn:uuid:1"
    assert entry.published == datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


def test_json_feed() -> None:
    feed = parse(JSONFEED, "https://example.org/feed.json")
    assert feed.title == "JSON"
    entry = feed.entries[0]
    assert (entry.title, entry.link, entry.guid) == ("Jason", "https://example.org/j1", "j1")
    assert "Hallo Welt" in (entry.body or entry.summary)
    assert entry.published == datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("body", [b"", b"<html><body><p>Keine Feeds hier</p></body></html>",
                                  b"\x00\x01\x02garbage", b"{\"not\": \"a feed\"}"])
def test_non_feeds_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse(body, "https://example.org/")


def test_broken_but_readable_feed_parses_with_warning() -> None:
    body = b"<rss version='2.0'><channel><title>Kaputt</title><item><title>Eins & zwei</title></item>"
    feed = parse(body, "https://example.org/")
    assert feed.entries[0].title == "Eins & zwei"
    assert feed.warning


def test_json_feed_with_rfc822_dates_and_text_content() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "title": "J", "items": [
        {"id": 1, "url": "/a", "title": "A", "content_text": "Zeile <1> & Zeile 2",
         "date_published": "Fri, 31 May 2019 12:17:58 -0700"}]}).encode()
    entry = parse(body, "https://example.org/feed.json").entries[0]
    assert entry.published == datetime(2019, 5, 31, 19, 17, 58, tzinfo=UTC)
    assert entry.body == "Zeile <1> & Zeile 2"
    assert (entry.guid, entry.link) == ("1", "https://example.org/a")


def test_guid_is_kept_as_given_even_when_it_looks_relative() -> None:
    body = (b"<rss version='2.0'><channel><title>t</title><item><title>a</title><link>/a</link>"
            b"<guid>bfbfa11a-1c86-43d6-a024-5de7d957589f</guid></item></channel></rss>")
    entry = parse(body, "https://www.tagesschau.de/xml/rss2/").entries[0]
    assert entry.guid == "bfbfa11a-1c86-43d6-a024-5de7d957589f"
    assert entry.link == "https://www.tagesschau.de/a"


def test_a_malformed_link_loses_the_link_not_the_entry() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
        {"id": "1", "url": "https://example.org/1", "title": "Gut"},
        {"id": "2", "url": "https://[broken", "title": "Kaputter Link"}]}).encode()
    feed = parse(body, "https://example.org/feed.json")
    assert [(e.title, e.link) for e in feed.entries] == [("Gut", "https://example.org/1"), ("Kaputter Link", None)]


def test_an_entry_that_cannot_be_read_is_skipped_not_the_feed(monkeypatch: pytest.MonkeyPatch) -> None:
    import monitor.feeds.parse.reader as module

    original = module._entry

    def odd(raw: object, base: str | None) -> object:
        if "Kaputt" in str(raw):
            raise TypeError("unexpected shape")
        return original(raw, base)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_entry", odd)
    body = (b"<rss version='2.0'><channel><title>t</title><item><title>Gut</title></item>"
            b"<item><title>Kaputt</title></item><item><title>Auch gut</title></item></channel></rss>")
    feed = parse(body, "https://example.org/feed")
    assert [e.title for e in feed.entries] == ["Gut", "Auch gut"]
    assert feed.warning == "1 unreadable entries skipped"
