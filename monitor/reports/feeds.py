"""``newsmon feeds list`` (configured feeds joined with their rows in the database, if it exists) and
the feed list ``feeds export`` writes; URLs as ``monitor.redact`` shows them."""

from __future__ import annotations

from typing import Any

from monitor import redact
from monitor.config import Settings
from monitor.errors import DamagedDatabase, StoreError


def feed_overview(settings: Settings) -> list[dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    try:
        from monitor.reports.status import collect

        stored = {feed["name"]: feed for feed in collect(settings)["feeds"]}
    except DamagedDatabase:
        raise
    except StoreError:
        pass  # no database yet: the configured feeds alone
    rows = []
    for feed in settings.feeds:
        row = stored.get(feed.name, {})
        rows.append({"name": feed.name, "url": redact.url(feed.url), "interval": feed.interval,
                     "fulltext": feed.fulltext,
                     "articles": row.get("articles", 0), "last_ok": row.get("last_ok"),
                     "last_error": row.get("last_error")})
    return rows


def export_rows(settings: Settings) -> list[tuple[str, str]]:
    """(name, URL) of every configured feed for OPML: a URL written with ``${VAR}`` in monitor.yaml
    is exported as written (the reference, not the secret), any other secret is masked."""
    from monitor.settings import written_feed_urls

    written = written_feed_urls(settings.path)
    rows = []
    for index, feed in enumerate(settings.feeds):
        as_written = written[index] if index < len(written) else None
        url = as_written if as_written is not None and "${" in as_written else feed.url
        rows.append((feed.name, redact.url(url)))
    return rows
