"""Parse a feed body into plain values: RSS 0.9x/1.0/2.0, Atom, JSON Feed (feedparser underneath).

Pure: bytes in, ``ParsedFeed`` out. An RSS 2.0, RSS 1.0 or Atom feed in UTF-8 is read by ``feedxml``
(lxml, the same values, fifty times faster); everything else by feedparser, which runs without its
HTML sanitiser and URI resolver (twice as fast, docs/architecture.md §8) because every text field goes through
``clean.html_to_text`` anyway.
Hostile XML is harmless: feedparser strips DOCTYPE entity declarations (no entity expansion, no
external entities), and expat never fetches external resources. Feeds whose declared encoding lies
are repaired first (``monitor.feeds.parse.encoding``).
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from monitor.errors import ParseError
from monitor.feeds.parse import fastxml as feedxml
from monitor.feeds.parse import jsonfeed
from monitor.feeds.parse.encoding import fix_declared_encoding
from monitor.feeds.parse.html import html_to_text, one_line
from monitor.feeds.parse.limits import MAX_AUTHOR, MAX_BODY, MAX_SUMMARY, MAX_TITLE, RAW_FACTOR, cap, capped
from monitor.model import Entry, ParsedFeed

_ESCAPED_MARKUP = re.compile(r"</(p|div|span|a|b|i|em|strong|li|ul|ol|table|tr|td|h[1-6]|blockquote)>", re.I)
_BOZO_KEEP = 200
MAX_ENTRIES = 1000


def parse(body: bytes, base_url: str) -> ParsedFeed:
    """Entries with plain-text fields, absolute links and UTC dates; ``ParseError`` if no feed at all."""
    if jsonfeed.looks_like_json(body):
        feed, raw_entries = jsonfeed.load(body)
        warning = None
    else:
        data = fix_declared_encoding(body)
        fast = feedxml.read(data, "")  # no base, as feedparser is called without content-location
        if fast is None:
            feed, raw_entries, warning = _feedparser(data)
        else:
            (feed, raw_entries), warning = fast, None
    base = _http_base(base_url) or _http_base(str(feed.get("link") or ""))
    if len(raw_entries) > MAX_ENTRIES:  # feeds list newest first; the rest only costs time
        warning = f"{len(raw_entries)} entries, only the first {MAX_ENTRIES} read"
        raw_entries = raw_entries[:MAX_ENTRIES]
    entries: list[Entry] = []
    unreadable = 0
    for raw in raw_entries:
        try:
            entry = _entry(raw, base)
        except (TypeError, ValueError, AttributeError, OverflowError):  # one odd item must not cost the feed
            unreadable += 1
            continue
        if entry is not None:
            entries.append(entry)
    if unreadable:
        warning = f"{unreadable} unreadable entries skipped" + (f"; {warning}" if warning else "")
    return ParsedFeed(title=cap(_text(feed.get("title"), MAX_TITLE), MAX_TITLE), link=_absolute(feed.get("link"), base),
                      entries=tuple(entries), warning=warning)


def _feedparser(data: bytes) -> tuple[Any, list[Any], str | None]:
    """feedparser's view; no content-location, else it "resolves" GUIDs such as tagesschau's UUIDs."""
    try:
        result: Any = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False,
                                       response_headers={"content-type": "application/xml"})
    except Exception as err:  # feedparser itself failing is "not a feed we can read", never a crash
        raise ParseError(f"not a feed: unreadable: {type(err).__name__}: {err}"[:300]) from err
    feed = result.get("feed", {})
    raw_entries = result.get("entries", [])
    if not result.get("version") and not raw_entries and not feed.get("title"):
        reason = result.get("bozo_exception")
        raise ParseError(f"not a feed{': ' + str(reason)[:_BOZO_KEEP] if reason else ''}")
    warning = str(result.get("bozo_exception", "malformed feed"))[:_BOZO_KEEP] if result.get("bozo") else None
    return feed, raw_entries, warning


def _entry(raw: Any, base: str | None) -> Entry | None:
    title = _text(raw.get("title"), MAX_TITLE)
    summary = _text(raw.get("summary"), MAX_SUMMARY)
    body = ""
    for content in raw.get("content") or ():
        value = content.get("value") if isinstance(content, dict) else None
        if value:
            body = _text(value, MAX_BODY)
            break
    if body == summary:
        body = ""
    link = _absolute(raw.get("link"), base)
    guid = one_line(str(raw.get("id") or "")) or None
    if not (title or summary or body or link):
        return None
    return capped(Entry(title=title, link=link, guid=guid, summary=summary, body=body,
                        published=_when(raw), author=_text(raw.get("author"), MAX_AUTHOR) or None))


def _text(value: object, limit: int) -> str:
    """Plain text of a field; markup that was escaped twice (seen at reddit) is removed as well."""
    if not isinstance(value, str):
        return ""
    if len(value) > limit * RAW_FACTOR:  # markup is never ten times the text: the rest is cut anyway
        value = value[: limit * RAW_FACTOR]
    text = html_to_text(value)
    return html_to_text(text) if _ESCAPED_MARKUP.search(text) else text


def _absolute(link: object, base: str | None) -> str | None:
    if not isinstance(link, str):
        return None
    link = one_line(link)
    if not link:
        return None
    try:
        if urlsplit(link).scheme:
            return link
        return urljoin(base, link) if base else link
    except ValueError:  # e.g. "https://[broken": no usable link, the entry itself stays
        return None


def _http_base(url: str) -> str | None:
    try:
        return url if urlsplit(url).scheme.lower() in ("http", "https") else None
    except ValueError:
        return None


def _when(raw: Any) -> datetime | None:
    if isinstance(raw.get("published_dt"), datetime):
        return raw["published_dt"]  # type: ignore[no-any-return]
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(raw, key)  # plain dict access: FeedParserDict's key fallbacks warn
        if isinstance(value, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None
