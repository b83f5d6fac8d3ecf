"""Caps on what one feed item may bring: a title, summary or body larger than any real article is cut.

The fetch cap (``http.max_bytes``) bounds a whole feed, not a field: one 9.5 MB title inside a 10 MB
feed was stored whole and sent to every target twice over. Real German news titles stay under 300
characters and the longest articles under 100,000, so the caps cost no real text. A cut ends at a
word boundary with "…". A link longer than any browser keeps is dropped (a cut one would point
elsewhere); a GUID is only an identity and is cut.
"""

from __future__ import annotations

from dataclasses import replace

from monitor.model import Entry

MAX_TITLE = 500
MAX_SUMMARY = 20_000
MAX_BODY = 200_000
MAX_AUTHOR = 200
MAX_LINK = 4_096
MAX_GUID = 1_000
RAW_FACTOR = 10  # a field's HTML is cut at ten times its cap before it is read: never more work than that
_ELLIPSIS = "…"


def cap(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary when one is near, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS)]
    space = cut.rfind(" ", max(0, len(cut) - 200))
    return (cut[:space] if space > 0 else cut).rstrip() + _ELLIPSIS


def capped(entry: Entry) -> Entry:
    """The entry with every field within its cap (the same object when nothing is over)."""
    if (len(entry.title) <= MAX_TITLE and len(entry.summary) <= MAX_SUMMARY and len(entry.body) <= MAX_BODY
            and len(entry.link or "") <= MAX_LINK and len(entry.guid or "") <= MAX_GUID
            and len(entry.author or "") <= MAX_AUTHOR):
        return entry
    link = entry.link if entry.link is None or len(entry.link) <= MAX_LINK else None
    return replace(entry, title=cap(entry.title, MAX_TITLE), summary=cap(entry.summary, MAX_SUMMARY),
                   body=cap(entry.body, MAX_BODY), link=link,
                   guid=entry.guid[:MAX_GUID] if entry.guid else entry.guid,
                   author=cap(entry.author, MAX_AUTHOR) if entry.author else entry.author)
