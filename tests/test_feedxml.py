"""The lxml fast path gives exactly what feedparser gives, or declines.

Every feed file of the real data (German captures, the feedparser, feed-rs, fastfeedparser and
rss-parser suites) is parsed twice: through ``parse`` as it runs, and with the fast path switched
off. Where the fast path accepted a feed, both results must be equal, field by field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor import feedxml
from monitor import parse as parse_module
from monitor.errors import ParseError
from monitor.model import ParsedFeed

BASE = "https://example.org/feeds/rss.xml"
SUITES = ("corss-dec2024-snapshot", "news-homereader-feeds", "fast-news-reader-feeds", "sz-feed",
          "elixir-scrape-feeds", "rss-parser-inputs", "feed-rs-fixtures", "fastfeedparser-integration",
          "feedparser-tests")
SKIP_SUFFIXES = (".json", ".md", ".opml", ".jsonl", ".gz", ".html", ".txt")


def _files(root: Path) -> Iterator[Path]:
    for suite in SUITES:
        for path in sorted((root / suite).rglob("*")):
            if path.is_file() and not path.name.endswith(SKIP_SUFFIXES) and path.name != "LICENSE":
                yield path


def _both(body: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[ParsedFeed | str, ParsedFeed | str]:
    def run() -> ParsedFeed | str:
        try:
            return parse_module.parse(body, BASE)
        except ParseError as err:
            return f"ParseError: {err}"

    fast = run()
    with monkeypatch.context() as patch:
        patch.setattr(feedxml, "read", lambda data, base: None)
        slow = run()
    return fast, slow


def test_fast_path_agrees_with_feedparser_on_every_real_feed(realdata: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    accepted: list[str] = []
    for path in _files(realdata):
        body = path.read_bytes()
        if feedxml.read(parse_module.fix_declared_encoding(body), "") is None:
            continue
        accepted.append(path.name)
        fast, slow = _both(body, monkeypatch)
        assert fast == slow, path
    assert len(accepted) > 500  # the fast path is not declining everything


def test_most_german_captures_take_the_fast_path(realdata: Path) -> None:
    captures = [p for d in ("corss-dec2024-snapshot", "news-homereader-feeds", "fast-news-reader-feeds")
                for p in sorted((realdata / d).glob("*.xml"))]
    fast = [p for p in captures if feedxml.read(parse_module.fix_declared_encoding(p.read_bytes()), "")]
    assert len(fast) >= 0.75 * len(captures)


ITEM = "<item><title>Gipfel in Budapest</title><link>https://example.org/a</link><guid>g-1</guid></item>"


@pytest.mark.parametrize(("body", "why"), [
    (f"<!DOCTYPE rss [<!ENTITY x 'y'>]><rss version='2.0'><channel>{ITEM}</channel></rss>", "a DOCTYPE"),
    (f"<rss version='2.0' xml:base='https://other.example/'><channel>{ITEM}</channel></rss>", "xml:base"),
    ("<rss version='2.0'><channel><item><description><p>Text</p></description></item></channel></rss>",
     "markup as elements"),
    ("<rss version='2.0'><channel><item><title>a</title><title>b</title></item></channel></rss>", "two titles"),
    ("<rss version='2.0'><channel><item><author>redaktion@example.org (Redaktion)</author></item></channel></rss>",
     "an e-mail author"),
    ("<rss version='2.0'><channel><item><pubDate>gestern</pubDate></item></channel></rss>", "an unreadable date"),
    ("<rss version='0.91'><channel><item><title>a</title></item></channel></rss>", "another RSS version"),
    (f"<rss version='2.0'><channel>{ITEM}</channel>", "not well-formed"),
])
def test_unusual_feeds_are_left_to_feedparser(body: str, why: str) -> None:
    assert feedxml.read(body.encode(), "") is None, why


@pytest.mark.parametrize("body", [
    # guid as link, a permalink GUID, a tracking link with &amp;, CDATA, mojibake repaired, cp1252 mapped
    "<rss version='2.0'><channel><title>T</title><link>https://example.org/</link>"
    "<item><title><![CDATA[Gr\u00c3\u00bc\u00c3\u009fe]]></title><guid>https://example.org/g?a=1&amp;b=2</guid>"
    "<pubDate>Tue, 21 Oct 2025 10:00:00 +0200</pubDate><description>&lt;p&gt;Eins \u0080 zwei&lt;/p&gt;</description>"
    "</item><item><title>Zwei</title><link>https://example.org/z?utm_source=rss&amp;x=1</link>"
    "<guid isPermaLink='false'>z-2</guid><dc:date xmlns:dc='http://purl.org/dc/elements/1.1/'>"
    "2025-10-21T08:00:00Z</dc:date></item></channel></rss>",
    # Atom: id before link, html content before nothing, summary from content
    "<feed xmlns='http://www.w3.org/2005/Atom'><title type='html'>A &amp;amp; B</title><id>urn:x</id>"
    "<entry><id>tag:example.org,2025:1</id><title>Eins</title><updated>2025-10-21T08:00:00+02:00</updated>"
    "<link href='https://example.org/1'/><content type='html'>&lt;b&gt;fett&lt;/b&gt;</content>"
    "<author><name>Anna</name></author></entry></feed>",
])
def test_fast_path_values_equal_feedparser_values(body: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = body.encode()
    assert feedxml.read(data, "") is not None
    fast, slow = _both(data, monkeypatch)
    assert fast == slow
