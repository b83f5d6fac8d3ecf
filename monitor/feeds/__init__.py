"""Feeds: fetching (conditional GET, caps, the private-address guard), when to poll next, full text,
discovery of a site's feeds, OPML.

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from monitor import exports

# httpx imports its command-line client whenever rich is installed (rich, pygments and click: some
# 30 ms and 5 MB in every process that fetches). None in sys.modules makes that import fail, which
# httpx answers with a stub ``main``; newsmon never runs httpx's command line.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

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
