"""discover_feeds: a feed URL returns itself, a site page yields its validated feed links."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import HttpConfig
from monitor.errors import FetchError
from monitor.feeds.discovery import discover_feeds, feed_links
from tests.servers import FeedServer, refused_url

FEED = ("<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nachrichten aus Köln</title>"
        "<item><title>Eins</title><link>https://example.org/1</link></item></channel></rss>").encode()
ATOM = (b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Atom-Titel</title>"
        b"<entry><title>a</title><id>1</id></entry></feed>")
HTTP = HttpConfig(timeout=5)
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


def test_feed_url_returns_itself(server: FeedServer) -> None:
    url = server.serve("/feed.xml", FEED)
    assert discover_feeds(url, HTTP) == [("Nachrichten aus Köln", url)]


def test_site_page_yields_its_alternate_links_validated(server: FeedServer) -> None:
    server.serve("/rss/alle.xml", FEED)
    server.serve("/atom", ATOM)
    page = (b"<html><head><title>Startseite</title>"
            b"<link rel='alternate' type='application/rss+xml' title='Alle Meldungen' href='/rss/alle.xml'>"
            b"<link rel='alternate' type='application/atom+xml' href='atom'>"
            b"<link rel='alternate' type='application/rss+xml' title='Kaputt' href='/rss/kaputt.xml'>"
            b"<link rel='alternate' hreflang='en' href='/en/'>"
            b"<link rel='stylesheet' type='text/css' href='/style.css'>"
            b"</head><body>Hallo</body></html>")
    url = server.serve("/", page, headers=HTML)
    assert discover_feeds(url, HTTP) == [("Alle Meldungen", server.url("/rss/alle.xml")),
                                         ("Startseite", server.url("/atom"))]


def test_base_href_and_anchor_fallback(server: FeedServer) -> None:
    server.serve("/news/feed/", FEED)
    page = (b"<html><head><base href='/news/'><title>T</title></head><body>"
            b"<a href='impressum.html'>Impressum</a><a href='feed/'>RSS-Feed</a>"
            b"<a href='https://elsewhere.example/rss'>fremd</a></body></html>")
    url = server.serve("/start", page, headers=HTML)
    assert discover_feeds(url, HTTP) == [("RSS-Feed", server.url("/news/feed/"))]


def test_page_without_feeds_gives_empty_list_and_failures_raise(server: FeedServer) -> None:
    url = server.serve("/plain", b"<html><head><title>Nichts</title></head><body>Text</body></html>", headers=HTML)
    assert discover_feeds(url, HTTP) == []
    with pytest.raises(FetchError, match="connection refused"):
        discover_feeds(refused_url(), HTTP)
    with pytest.raises(FetchError, match="HTTP 404"):
        discover_feeds(server.url("/missing"), HTTP)


def test_real_german_article_pages_link_their_feeds(realdata: Path) -> None:
    spiegel = (realdata / "elixir-scrape-feeds" / "article_spiegel.html").read_bytes()
    links = feed_links(spiegel, "https://www.spiegel.de/wissenschaft/weltall/x.html")
    assert ("SPIEGEL ONLINE RSS Schlagzeilen", "https://www.spiegel.de/schlagzeilen/index.rss") in links
    pages = sorted((realdata / "fundus-german-articles").glob("*/*.html.gz"))[::3]  # 35 of the 105
    with_feeds = [p for p in pages if feed_links(gzip.decompress(p.read_bytes()), "https://example.org/")]
    assert len(with_feeds) >= 12  # about half of the real pages link a feed


def test_malformed_hrefs_are_ignored() -> None:
    page = (b"<html><head><link rel='alternate' type='application/rss+xml' href='http://[oops'>"
            b"<link rel='alternate' type='application/rss+xml' href='http://example.org:99999/x'>"
            b"<link rel='alternate' type='application/rss+xml' title='Gut' href='/rss'></head></html>")
    assert feed_links(page, "https://example.org/") == [("Gut", "https://example.org/rss")]
