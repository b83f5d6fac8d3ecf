"""Warnings of ``newsmon check`` that do not make a config invalid.

A feed whose URL came from content (an OPML file, a link on a fetched page) and whose host is on a
loopback, private, link-local or otherwise internal address is reported: it is refused when polled
unless ``http.allow_private`` is set, and if it is set, it is worth knowing that such a list points
inside the network. Host names are resolved (a few at a time, each bounded), feeds written into
monitor.yaml by a person are not looked at.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from monitor import redact
from monitor.config import FeedConfig, Settings
from monitor.feeds.transport import is_public, resolve

LOOKUP_TIMEOUT = 3.0


def private_feed_warnings(settings: Settings) -> list[str]:
    """One line per content-named feed on a non-public address, in config order."""
    feeds = [feed for feed in settings.feeds if feed.guarded]
    if not feeds:
        return []
    allowed = settings.monitor.http.allow_private
    with ThreadPoolExecutor(max_workers=8, thread_name_prefix="check-dns") as pool:
        found = list(pool.map(_internal_address, feeds))
    consequence = "fetched only because http.allow_private is true" if allowed else \
        "refused when polled (set http.allow_private to allow it)"
    return [f"feed {feed.name!r} ({redact.url(feed.url)}, origin {feed.origin}) is on the non-public address "
            f"{address}: {consequence}" for feed, address in zip(feeds, found, strict=True) if address]


def _internal_address(feed: FeedConfig) -> str | None:
    try:
        parts = urlsplit(feed.url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    if not host:
        return None
    try:
        addresses = resolve(host, port, LOOKUP_TIMEOUT)
    except Exception:  # not found or timed out: the poll reports it
        return None
    return next((address for address in addresses if not is_public(address)), None)
