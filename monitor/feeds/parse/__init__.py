"""Feed parsing: bytes → ``ParsedFeed`` of ``Entry`` values (the lxml fast path, feedparser for the rest,
JSON Feed, declared-encoding repair, HTML → text).

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.feeds.parse.encoding import fix_declared_encoding
    from monitor.feeds.parse.html import html_to_text
    from monitor.feeds.parse.reader import parse

__all__ = ["fix_declared_encoding", "html_to_text", "parse"]
__getattr__ = exports(__name__, {
    "parse": "reader",
    "html_to_text": "html",
    "fix_declared_encoding": "encoding",
})
