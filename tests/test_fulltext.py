"""Full text: the SSRF guard (also across redirects), caps, cache, and extraction of a real page shape."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.config import HttpConfig
from monitor.feeds import transport
from monitor.feeds.fulltext import extract_text
from monitor.feeds.transport import is_public
from tests.servers import FeedServer

PARAGRAPHS = [
    "Die Bundesregierung hat am Mittwoch in Berlin ein umfangreiches Paket zur Förderung der "
    "Wärmepumpen beschlossen, das Hausbesitzern in den kommenden Jahren Zuschüsse sichern soll.",
    "Nach Angaben des Wirtschaftsministeriums sollen die Mittel vor allem Haushalten mit geringem "
    "Einkommen zugutekommen, die sich den Umstieg bislang nicht leisten konnten.",
    "Kritik kam von der Opposition, die das Verfahren als übereilt bezeichnete und eine ausführliche "
    "Anhörung der Verbände im Ausschuss forderte.",
]
ARTICLE = ("<!doctype html><html lang='de'><head><meta charset='utf-8'><title>Förderung beschlossen</title>"
           "</head><body><nav><a href='/'>Startseite</a> <a href='/politik'>Politik</a></nav>"
           "<article><h1>Förderung für Wärmepumpen beschlossen</h1>"
           + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
           + "</article><footer>Impressum · Datenschutz · Kontakt</footer></body></html>").encode()
HTTP = HttpConfig(fulltext_timeout=5)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as running:
        yield running


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
                                     "224.0.0.1", "255.255.255.255"])
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address: str) -> None:
    assert is_public(address)


def test_loopback_article_is_refused_without_connecting(server: FeedServer) -> None:
    url = server.serve("/artikel", ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"})
    assert extract_text(url, HTTP) is None
    localhost = url.replace("127.0.0.1", "localhost")
    assert extract_text(localhost, HTTP) is None
    assert server.hits["/artikel"] == 0


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://0.0.0.0/",
                                 "http://2130706433/", "file:///etc/passwd", "ftp://example.org/x",
                                 "http://[oops/x"])
def test_internal_and_non_http_targets_give_none(url: str) -> None:
    assert extract_text(url, HTTP) is None


def test_allowed_private_article_is_extracted(server: FeedServer) -> None:
    url = server.serve("/artikel", ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"})
    text = extract_text(url, HTTP, allow_private=True)
    assert text is not None
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Impressum" not in text and "Startseite" not in text
    config_allows = HttpConfig(fulltext_timeout=5, allow_private=True)
    assert extract_text(url, config_allows) == text


def test_redirect_to_an_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    # 127.0.0.1 plays a public site, 127.0.0.2 the internal one it redirects to
    monkeypatch.setattr(transport, "is_public", lambda address: address != "127.0.0.2")
    with FeedServer("127.0.0.2") as internal, FeedServer() as public:
        internal.serve("/admin", ARTICLE, headers={"Content-Type": "text/html"})
        public.serve("/ok", ARTICLE, headers={"Content-Type": "text/html"})
        assert extract_text(public.url("/ok"), HTTP) is not None  # the "public" site is reachable
        public.redirect("/jump", internal.url("/admin"), status=302)
        assert extract_text(public.url("/jump"), HTTP) is None
        assert internal.hits["/admin"] == 0


def test_page_over_the_cap_and_non_html_give_none(server: FeedServer) -> None:
    big = server.serve("/big", ARTICLE + b" " * 20_000, headers={"Content-Type": "text/html"})
    assert extract_text(big, HttpConfig(fulltext_max_bytes=10_000), allow_private=True) is None
    pdf = server.serve("/doc.pdf", b"%PDF-1.4", headers={"Content-Type": "application/pdf"})
    assert extract_text(pdf, HTTP, allow_private=True) is None
    missing = server.url("/gone")
    assert extract_text(missing, HTTP, allow_private=True) is None


def test_cache_answers_repeats_including_pages_without_text(server: FeedServer, tmp_path: Path) -> None:
    url = server.serve("/artikel", ARTICLE, headers={"Content-Type": "text/html"})
    empty = server.serve("/leer", b"<html><body></body></html>", headers={"Content-Type": "text/html"})
    first = extract_text(url + "?utm_source=feed", HTTP, allow_private=True, cache_dir=tmp_path)
    again = extract_text(url, HTTP, allow_private=True, cache_dir=tmp_path)
    assert first is not None and again == first
    assert extract_text(empty, HTTP, allow_private=True, cache_dir=tmp_path) is None
    assert extract_text(empty, HTTP, allow_private=True, cache_dir=tmp_path) is None
    assert server.hits["/artikel"] == 1 and server.hits["/leer"] == 1


def test_fetch_failures_are_not_cached(server: FeedServer, tmp_path: Path) -> None:
    url = server.url("/spaeter")
    assert extract_text(url, HTTP, allow_private=True, cache_dir=tmp_path) is None
    server.serve("/spaeter", ARTICLE, headers={"Content-Type": "text/html"})
    assert extract_text(url, HTTP, allow_private=True, cache_dir=tmp_path) is not None


def test_enrich_fills_body_of_teaser_entries_and_keeps_order(server: FeedServer) -> None:
    from monitor.feeds.fulltext import enrich
    from monitor.model import Entry

    url = server.serve("/artikel", ARTICLE, headers={"Content-Type": "text/html"})
    teaser = Entry(title="Förderung", link=url, summary="Kurz: Förderung beschlossen.")
    no_link = Entry(title="Ohne Link")
    broken = Entry(title="Kaputt", link=server.url("/fehlt"), summary="Nur Anriss")
    enriched = enrich([teaser, no_link, broken], HTTP, allow_private=True)
    assert [e.title for e in enriched] == ["Förderung", "Ohne Link", "Kaputt"]
    assert PARAGRAPHS[1] in enriched[0].body and enriched[0].summary == teaser.summary
    assert enriched[1] == no_link and enriched[2] == broken
    assert enrich([teaser], HTTP) == [teaser]  # private address refused: the teaser stays as it was
