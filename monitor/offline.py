"""``newsmon match``: parse feed files or URLs and match them against watchlists, no database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.config import HttpConfig, load_watchlists
from monitor.dedup import identity_keys
from monitor.errors import MonitorError
from monitor.fetch import fetch
from monitor.match import compile_matcher
from monitor.model import Document, Entry, Match, Validators
from monitor.parse import parse
from monitor.stories import LocalStories


@dataclass(frozen=True, slots=True)
class SourceMatch:
    source: str
    entry: Entry
    match: Match
    story: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The fixed ``--json`` shape of DESIGN.md §9."""
        return {
            "watchlist": self.match.watchlist,
            "title": self.entry.title,
            "link": self.entry.link,
            "guid": self.entry.guid,
            "published": self.entry.published.isoformat() if self.entry.published else None,
            "score": self.match.score,
            "story": self.story,
            "hits": [{"term": h.term, "field": h.field, "start": h.start, "end": h.end, "text": h.text}
                     for h in self.match.hits],
        }


def match_sources(watchlists_path: str, sources: Sequence[str], http: HttpConfig) -> Iterator[SourceMatch]:
    entities, watchlists = load_watchlists(watchlists_path)
    matcher = compile_matcher(watchlists, entities)
    stories = LocalStories()
    now = datetime.now(UTC)
    for source in sources:
        result = fetch(source, Validators(), http)
        if result.error or result.body is None:
            raise MonitorError(f"{source}: {result.error or 'empty response'}")
        for entry in parse(result.body, result.url).entries:
            story = stories.story_of(entry, identity_keys(entry, 0), now)
            doc = Document(entry.title, entry.summary, entry.body)
            for match in matcher.match(doc):
                yield SourceMatch(source, entry, match, story)
