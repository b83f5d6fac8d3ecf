"""Feeds: fetching (conditional GET, caps, the private-address guard), when to poll next, full text,
discovery of a site's feeds, OPML.

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.feeds.discovery import discover_feeds
    from monitor.feeds.fetcher import fetch, fetch_all
    from monitor.feeds.fulltext import enrich
    from monitor.feeds.opml import read_opml, write_opml
    from monitor.feeds.schedule import next_poll

__all__ = ["discover_feeds", "enrich", "fetch", "fetch_all", "next_poll", "read_opml", "write_opml"]
__getattr__ = exports(__name__, {
    "fetch": "fetcher", "fetch_all": "fetcher",
    "next_poll": "schedule",
    "enrich": "fulltext",
    "discover_feeds": "discovery",
    "read_opml": "opml", "write_opml": "opml",
})
