"""Identity of an article: the keys under which storage recognises it again.

A canonical URL (tracking parameters, fragments, host case removed) and the feed's GUID. A GUID
that is itself a URL is canonicalised the same way; a very short GUID ("1", "42") is only trusted
within its own feed.
"""

from __future__ import annotations

from monitor.clean import canonical_url
from monitor.model import Entry

MIN_GLOBAL_GUID = 8


def identity_keys(entry: Entry, feed_id: int) -> tuple[str, ...]:
    keys: list[str] = []
    if entry.link:
        keys.append("url:" + canonical_url(entry.link))
    guid = (entry.guid or "").strip()
    if guid:
        if guid.startswith(("http://", "https://")):
            key = "url:" + canonical_url(guid)
        elif len(guid) >= MIN_GLOBAL_GUID:
            key = "guid:" + guid
        else:
            key = f"guid:{feed_id}:{guid}"
        if key not in keys:
            keys.append(key)
    return tuple(key[:700] for key in keys)
