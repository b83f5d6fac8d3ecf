"""Find the feeds of a site page for ``newsmon feeds add URL``.

A URL that is itself a feed is returned as is. Otherwise the page's ``<link rel="alternate">``
feed links are read with beautifulsoup4 (honouring ``<base href>``); a page without any falls back
to links whose address looks like a feed (``/rss``, ``/feed``, ``.xml`` …) on the same site. With
``validate`` every candidate is fetched and parsed, and only real feeds are returned.

Links found on a page are content, not the user's choice: only http(s) links count (never
``file://``), and a link to another host is fetched with the private-address guard and added with
``origin: discovered`` (``origin_of``), so it keeps the guard when polled.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin, urlsplit

from monitor.config import HttpConfig, web_url
from monitor.errors import FetchError, ParseError
from monitor.feeds.fetcher import fetch
from monitor.feeds.parse.reader import parse
from monitor.model import ParsedFeed, Validators

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml", "application/rdf+xml",
                        "application/feed+json", "application/json", "application/xml", "text/xml"})
_FEEDISH = re.compile(r"(rss|atom|feed|\.xml)(\b|$)", re.I)
MAX_CANDIDATES = 8


def discover_feeds(url: str, http: HttpConfig, *, validate: bool = True) -> list[tuple[str, str]]:
    """(title, feed URL) pairs for ``url``: itself if it is a feed, else the feeds its page links to."""
    result = fetch(url, Validators(), http)
    if result.error or result.body is None:
        raise FetchError(result.error or "empty answer", url=url)
    final = result.permanent_url or url
    itself = _as_feed(result.body, final)
    if itself is not None:
        return [(itself.title or final, final)]
    candidates = feed_links(result.body, final)
    if not validate:
        return candidates
    found: list[tuple[str, str]] = []
    for title, link in candidates[:MAX_CANDIDATES]:
        checked = fetch(link, Validators(), http, guarded=origin_of(final, link) == "discovered")
        feed = _as_feed(checked.body, link) if checked.body is not None else None
        if feed is not None:
            found.append((title or feed.title or link, checked.permanent_url or link))
    return found


def feed_links(html: bytes | str, base_url: str) -> list[tuple[str, str]]:
    """Feed links of an HTML page in document order, absolute and without duplicates."""
    from bs4 import BeautifulSoup  # only `feeds add` needs it
    from bs4.filter import SoupStrainer

    soup = BeautifulSoup(html, "lxml", parse_only=SoupStrainer(["link", "a", "base", "title"]))
    base_tag = soup.find("base", href=True)
    base = (_join(base_url, str(base_tag["href"])) if base_tag is not None else None) or base_url
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    links: list[tuple[str, str | None]] = []
    for tag in soup.find_all("link", href=True):
        rel = {str(r).lower() for r in (tag.get_attribute_list("rel") or [])}
        kind = str(tag.get("type") or "").split(";")[0].strip().lower()
        if ("alternate" in rel or "feed" in rel) and kind in FEED_TYPES:
            links.append((str(tag.get("title") or page_title).strip(), _join(base, str(tag["href"]))))
    if not links:
        host = urlsplit(base).hostname
        for anchor in soup.find_all("a", href=True):
            href = _join(base, str(anchor["href"]))
            parts = urlsplit(href) if href else None
            if parts and parts.hostname == host and _FEEDISH.search(f"{parts.path}?{parts.query}"):
                links.append((anchor.get_text(" ", strip=True) or page_title, href))
    seen: set[str] = set()
    unique = []
    for title, link in links:
        if link and link not in seen and web_url(link):
            seen.add(link)
            unique.append((title, link))
    return unique


def origin_of(page_url: str, feed_url: str) -> Literal["config", "discovered"]:
    """``config`` for the URL the user gave or a feed on the same host (the user chose that site),
    ``discovered`` for a feed the page points to elsewhere."""
    if feed_url == page_url:
        return "config"
    try:
        page, feed = urlsplit(page_url), urlsplit(feed_url)
    except ValueError:
        return "discovered"
    same = page.hostname is not None and page.hostname == feed.hostname and page.port == feed.port
    return "config" if same and web_url(page_url) else "discovered"


def _join(base: str, href: str) -> str | None:
    """``href`` made absolute; None for an address that does not parse (``http://[oops``)."""
    try:
        joined = urljoin(base, href.strip())
        urlsplit(joined).port  # noqa: B018 - raises ValueError for a bad port or host
    except ValueError:
        return None
    return joined


def _as_feed(body: bytes | None, url: str) -> ParsedFeed | None:
    if not body:
        return None
    head = body[:2048].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return None
    try:
        feed = parse(body, url)
    except ParseError:
        return None
    return feed if feed.entries or feed.title else None
