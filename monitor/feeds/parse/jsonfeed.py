"""JSON Feed 1.0/1.1 (https://jsonfeed.org) into the same raw entry shape feedparser gives.

feedparser 6 reads only XML, so ``parse`` hands bodies that are JSON objects here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from monitor.errors import ParseError


def looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def load(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(feed, entries) as dicts with feedparser's keys: title, link, id, summary, content, author, dates."""
    try:
        doc = json.loads(data.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as err:
        raise ParseError(f"not a feed: invalid JSON: {err}"[:200]) from err
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list) or (
            "jsonfeed.org" not in str(doc.get("version", "")) and "title" not in doc):
        raise ParseError("not a feed: JSON without JSON Feed version and items")
    feed = {"title": _str(doc.get("title")), "link": _str(doc.get("home_page_url"))}
    return feed, [_item(item) for item in doc["items"] if isinstance(item, dict)]


def _item(item: dict[str, Any]) -> dict[str, Any]:
    html = _str(item.get("content_html")) or _escape(_str(item.get("content_text")))
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]
    return {
        "id": _str(item.get("id")) or None,
        "link": _str(item.get("url")) or _str(item.get("external_url")),
        "title": _escape(_str(item.get("title"))),
        "summary": _escape(_str(item.get("summary"))),
        "content": [{"value": html}] if html else [],
        "author": ", ".join(names),
        "published_dt": _date(item.get("date_published")) or _date(item.get("date_modified")),
    }


def _str(value: object) -> str:
    return value if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _escape(text: str) -> str:
    """Plain text fields go through the HTML cleaner like every other field, so escape markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:  # RFC 822 dates as in RSS: not allowed by the spec, seen in real feeds
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
