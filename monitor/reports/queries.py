"""``newsmon search`` and ``newsmon backtest``: the live query engine over stored articles.

Both compile their query or watchlists with ``monitor.match.compile_matcher``, exactly as the
daemon does, and match each stored article's title, summary and body (a body that retention has
dropped is simply empty). ``backtest`` also counts the alerts each watchlist would have sent per
day (Europe/Berlin), so a watchlist can be tuned before it goes live.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import Settings, WatchlistConfig
from monitor.match import Matcher, compile_matcher, validate_query
from monitor.model import Match, match_json
from monitor.settings import load_watchlists
from monitor.store import archive as history
from monitor.store.archive import StoredView
from monitor.store.db import Database, open_database

BERLIN = ZoneInfo("Europe/Berlin")
Tick = Callable[[], None]


@dataclass(frozen=True, slots=True)
class Found:
    article: StoredView
    match: Match

    @property
    def day(self) -> date:
        return self.article.when.astimezone(BERLIN).date()

    def as_json(self) -> dict[str, Any]:
        """The fixed ``--json`` shape of docs/architecture.md §7 (as ``newsmon match``)."""
        return match_json(self.match, title=self.article.title, link=self.article.link, guid=self.article.guid,
                          published=self.article.published, story=self.article.story)


class Scan:
    """One pass over the stored articles since a time; ``total`` is known before the first match."""

    def __init__(self, settings: Settings, matcher: Matcher, since: datetime | None, *, newest_first: bool,
                 db: Database | None = None) -> None:
        self._owned = db is None
        self.db: Database = db or open_database(settings.database_url)
        self.matcher = matcher
        self.since = since
        self.newest_first = newest_first
        self.total = history.count(self.db, since)

    def run(self, tick: Tick | None = None) -> Iterator[Found]:
        try:
            for article in history.articles(self.db, self.since, newest_first=self.newest_first):
                for match in self.matcher.match(article.document):
                    yield Found(article, match)
                if tick:
                    tick()
        finally:
            if self._owned:
                self.db.dispose()


def search(settings: Settings, query: str, since: datetime | None, db: Database | None = None) -> Scan:
    """A query in the watchlist language over stored articles, newest first; ``@entity`` uses the config's."""
    validate_query(query, settings.entities)
    matcher = compile_matcher([WatchlistConfig(name="search", query=query)], settings.entities)
    return Scan(settings, matcher, since, newest_first=True, db=db)


def backtest(settings: Settings, path: str, since: datetime | None,
             db: Database | None = None) -> tuple[Scan, list[WatchlistConfig]]:
    """Watchlists from ``path`` (which may use the config's entities) over stored articles, oldest first."""
    entities, watchlists = load_watchlists(path, settings.entities)
    return Scan(settings, compile_matcher(watchlists, entities), since, newest_first=False, db=db), watchlists


@dataclass(frozen=True, slots=True)
class SearchSummary:
    """A whole search: every match counted per day (Berlin), the newest ``limit`` kept."""

    total: int
    matches: int
    per_day: dict[date, int]
    newest: list[Found]


def search_summary(settings: Settings, query: str, since: datetime | None, limit: int = 50,
                   db: Database | None = None) -> SearchSummary:
    scan = search(settings, query, since, db)
    per_day: Counter[date] = Counter()
    newest: list[Found] = []
    for found in scan.run():
        per_day[found.day] += 1
        if len(newest) < limit:
            newest.append(found)
    return SearchSummary(scan.total, sum(per_day.values()), dict(sorted(per_day.items())), newest)


@dataclass
class PerDay:
    """Alerts each watchlist would have sent, per day: ``per: story`` watchlists count a story once."""

    watchlists: list[str]
    per_story: set[str] = field(default_factory=set)
    counts: dict[date, Counter[str]] = field(default_factory=dict)
    _stories: set[tuple[str, int]] = field(default_factory=set)

    @classmethod
    def of(cls, watchlists: Sequence[WatchlistConfig]) -> PerDay:
        return cls([w.name for w in watchlists], {w.name for w in watchlists if w.per == "story"})

    def add(self, found: Found) -> None:
        name, story = found.match.watchlist, found.article.story
        if name in self.per_story and story is not None:
            if (name, story) in self._stories:
                return
            self._stories.add((name, story))
        self.counts.setdefault(found.day, Counter())[name] += 1

    def days(self, first: date | None = None, last: date | None = None) -> list[date]:
        """Every day from ``first`` (or the first with an alert) to ``last``, quiet days included."""
        if not self.counts and (first is None or last is None):
            return []
        start = first or min(self.counts)
        end = last or max(self.counts)
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]

    def total(self, name: str) -> int:
        return sum(day[name] for day in self.counts.values())

    def busiest(self, name: str) -> int:
        return max((day[name] for day in self.counts.values()), default=0)

    def feed(self, found: Iterable[Found]) -> Iterator[Found]:
        for item in found:
            self.add(item)
            yield item
