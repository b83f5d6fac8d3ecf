"""``newsmon match``: parse feed files or URLs and match them against watchlists, no database."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from monitor.config import HttpConfig
from monitor.dedup.features import identity_keys
from monitor.dedup.storyindex import LocalStories
from monitor.errors import MonitorError
from monitor.feeds.localfile import fetch_file, is_local
from monitor.feeds.parse.reader import parse
from monitor.match import compile_matcher
from monitor.model import Document, Entry, FetchResult, Match, Validators, match_json
from monitor.settings import load_watchlists


@dataclass(frozen=True, slots=True)
class SourceMatch:
    source: str
    entry: Entry
    match: Match
    story: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The fixed ``--json`` shape of docs/architecture.md §7."""
        return match_json(self.match, title=self.entry.title, link=self.entry.link, guid=self.entry.guid,
                          published=self.entry.published, story=self.story)


def match_sources(watchlists_path: str, sources: Sequence[str], http: HttpConfig) -> Iterator[SourceMatch]:
    entities, watchlists = load_watchlists(watchlists_path)
    matcher = compile_matcher(watchlists, entities)
    stories = LocalStories()
    now = datetime.now(UTC)
    for source in sources:
        result = _read(source, http)
        if result.error or result.body is None:
            raise MonitorError(f"{source}: {result.error or 'empty response'}")
        for entry in parse(result.body, result.url).entries:
            story = stories.story_of(entry, identity_keys(entry, 0), now)
            doc = Document(entry.title, entry.summary, entry.body)
            for match in matcher.match(doc):
                yield SourceMatch(source, entry, match, story)


def _read(source: str, http: HttpConfig) -> FetchResult:
    """A local file is read without importing the HTTP client (a fifth of a one-feed match's time)."""
    if is_local(source):
        return fetch_file(source, Validators(), http)
    from monitor.feeds.fetcher import fetch

    return fetch(source, Validators(), http)
