"""Feeds: fetching (conditional GET, SSRF guard), when to poll next, full text, discovery, OPML, adding feeds."""
