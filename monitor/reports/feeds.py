"""``newsmon feeds list``: configured feeds joined with their rows in the database, if it exists."""

from __future__ import annotations

from typing import Any

from monitor.config import Settings
from monitor.errors import StoreError


def feed_overview(settings: Settings) -> list[dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    try:
        from monitor.reports.status import collect

        stored = {feed["name"]: feed for feed in collect(settings)["feeds"]}
    except StoreError:
        pass  # no database yet: the configured feeds alone
    rows = []
    for feed in settings.feeds:
        row = stored.get(feed.name, {})
        rows.append({"name": feed.name, "url": feed.url, "interval": feed.interval, "fulltext": feed.fulltext,
                     "articles": row.get("articles", 0), "last_ok": row.get("last_ok"),
                     "last_error": row.get("last_error")})
    return rows
