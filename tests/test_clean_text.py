"""html_to_text and canonical_url: the cases that decide whether matching and dedup work."""

from __future__ import annotations

import pytest

from monitor.dedup.urls import canonical_url
from monitor.feeds.parse.html import html_to_text


@pytest.mark.parametrize(("html", "text"), [
    ("", ""),
    ("Schon Text", "Schon Text"),
    ("  viel   Raum\t hier ", "viel Raum hier"),
    ("Gr&uuml;&szlig;e &amp; K&#252;sse", "Grüße & Küsse"),
    ("<p>Erster</p><p>Zweiter</p>", "Erster\nZweiter"),
    ("Zeile<br>neue Zeile", "Zeile\nneue Zeile"),
    ("<b>fett</b><i>kursiv</i>", "fettkursiv"),
    ("ein <b>fettes</b> Wort", "ein fettes Wort"),
    ("<script>alert('x')</script>Sichtbar<style>p{}</style>", "Sichtbar"),
    ("<!-- Kommentar -->Text", "Text"),
    ("<div><ul><li>eins</li><li>zwei</li></ul></div>", "eins\nzwei"),
    ("Preis: 5&nbsp;Euro", "Preis: 5 Euro"),
    ("unclosed <p>para <b>bold", "unclosed\npara bold"),
    ("a < b and c > d", "a < b and c > d"),
    ("null\x00byte\x07", "nullbyte"),
    ("<html><head><title>T</title></head><body><p>Body</p></body></html>", "Body"),
])
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


@pytest.mark.parametrize(("url", "canonical"), [
    ("HTTPS://WWW.Tagesschau.DE/inland/", "https://www.tagesschau.de/inland"),
    ("https://www.tagesschau.de", "https://www.tagesschau.de/"),
    ("http://example.org:80/a", "http://example.org/a"),
    ("https://example.org:443/a", "https://example.org/a"),
    ("https://example.org:8443/a", "https://example.org:8443/a"),
    ("https://example.org/a#kommentare", "https://example.org/a"),
    ("https://www.spiegel.de/politik/x.html?utm_source=rss&utm_medium=feed",
     "https://www.spiegel.de/politik/x.html"),
    ("https://www.zeit.de/x?wt_zmc=sm.ext&wt_mc=rss.ein&at_medium=social&fbclid=1&gclid=2&mc_cid=3&ref=rss",
     "https://www.zeit.de/x"),
    ("https://example.org/s?z=1&a=2&utm_campaign=x", "https://example.org/s?a=2&z=1"),
    ("https://example.org/s?q=B%C3%BCrger&WT_MC=abc", "https://example.org/s?q=B%C3%BCrger"),
    ("https://example.org/%c3%bc", "https://example.org/%C3%BC"),
    ("https://example.org/a?id=7&page=", "https://example.org/a?id=7&page="),
    ("https://www.faz.net/aktuell/politik/x.html?GEPC=s3&premium=0x1", "https://www.faz.net/aktuell/politik/x.html?premium=0x1"),
    ("https://www.heise.de/news/x.html?wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",
     "https://www.heise.de/news/x.html"),
    ("https://www.spiegel.de/politik/a-1.html#ref=rss", "https://www.spiegel.de/politik/a-1.html"),
    ("https://www.bbc.com/sport/x?at_medium=RSS&at_campaign=rss", "https://www.bbc.com/sport/x"),
    ("mailto:someone@example.org", "mailto:someone@example.org"),
    ("not a url", "not a url"),
    ("http://.//0", "http://.//0"),
    ("https://example.org/Grüße aus Köln/", "https://example.org/Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln"),
    ("https://example.org/Gr%C3%BC%C3%9Fe", "https://example.org/Gr%C3%BC%C3%9Fe"),
])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_canonical_url_is_idempotent() -> None:
    once = canonical_url("HTTPS://Example.org:443/a/b/?utm_source=x&b=2&a=1#top")
    assert canonical_url(once) == once == "https://example.org/a/b?a=1&b=2"
