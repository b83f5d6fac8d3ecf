"""Per-watchlist figures: the configured watchlists run over stored articles (as ``backtest`` does)
and their rows in the outbox (alerts by state, held back and why), per day (Berlin time).

The matching side is a ``MatchLog``: one pass over the stored articles, then only the articles
stored since its last look, so a page that shows the figures again does not match every article
again. A later, stored record of matches and held-back reasons can replace what ``figures``
returns without changing its shape.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.config import Settings, WatchlistConfig
from monitor.match import compile_matcher
from monitor.reports.database import database
from monitor.reports.queries import BERLIN, Found
from monitor.store import archive, glance
from monitor.store.db import Database

RECENT = 20


SYNC_LIMIT = 3_000  # new articles matched within the request; more are matched in the background


@dataclass
class _Tally:
    per_day: Counter[date] = field(default_factory=Counter)
    recent: deque[Found] = field(default_factory=lambda: deque(maxlen=RECENT))


@dataclass(frozen=True, slots=True)
class Counted:
    """What the log has counted so far; ``pending`` articles are still being matched."""

    per_day: dict[str, Counter[date]]
    recent: dict[str, list[Found]]
    pending: int


class MatchLog:
    """The matches of the configured watchlists over every stored article, kept current: a few new
    articles are matched at once, many (the first look at a big database) by a background thread
    while the pages show what is counted so far."""

    def __init__(self, sync_limit: int = SYNC_LIMIT) -> None:
        self.sync_limit = sync_limit
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._generation = 0
        self._last = 0
        self._top = 0
        self._tallies: dict[str, _Tally] = {}
        self._worker: threading.Thread | None = None

    def refresh(self, settings: Settings, db: Database) -> Counted:
        with self._lock:
            key = (settings.watchlists, tuple(sorted(settings.entities.items())))
            if key != self._key:
                self._key, self._last, self._generation = key, 0, self._generation + 1
                self._tallies = {w.name: _Tally() for w in settings.watchlists}
                self._matcher = compile_matcher(settings.watchlists, settings.entities)
            busy = self._worker is not None and self._worker.is_alive()
            if not busy:
                self._top = archive.last_id(db)
                if 0 < self._top - self._last <= self.sync_limit:
                    self._scan(db, self._generation, self._last, self._top)
                elif self._top > self._last:
                    self._worker = threading.Thread(target=self._scan, name="match-log", daemon=True,
                                                    args=(db, self._generation, self._last, self._top, True))
                    self._worker.start()
            return Counted({n: Counter(t.per_day) for n, t in self._tallies.items()},
                           {n: list(t.recent) for n, t in self._tallies.items()}, max(self._top - self._last, 0))

    def wait(self, timeout: float | None = None) -> None:
        """Until the background matching is done (for a caller that needs every figure)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def _scan(self, db: Database, generation: int, after: int, top: int, locking: bool = False) -> None:
        matcher = self._matcher
        for article in archive.articles_after(db, after, None):
            if article.id > top or generation != self._generation:
                return
            found = [Found(article, match) for match in matcher.match(article.document)]
            if locking:
                self._lock.acquire()
            try:
                if generation != self._generation:
                    return
                for item in found:
                    tally = self._tallies[item.match.watchlist]
                    tally.per_day[item.day] += 1
                    tally.recent.append(item)
                self._last = article.id
            finally:
                if locking:
                    self._lock.release()
        if generation == self._generation:
            self._last = max(self._last, top)


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: date
    matches: int
    alerts: int


@dataclass(frozen=True, slots=True)
class WatchlistFigures:
    watchlist: WatchlistConfig
    targets: list[str]
    matches: int
    alerts: int
    states: dict[str, int]
    held: dict[str, int]
    days: list[DayFigures]
    recent: list[Found]
    pending: int = 0
    held_back: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        w = self.watchlist
        return {"name": w.name, "query": w.query, "mode": w.mode, "per": w.per, "targets": self.targets,
                "matches": self.matches, "articles_not_yet_matched": self.pending, "alerts": self.alerts,
                "states": self.states, "held": self.held, "held_back": self.held_back,
                "per_day": [{"day": d.day.isoformat(), "matches": d.matches, "alerts": d.alerts} for d in self.days],
                "recent": [found.as_json() for found in self.recent]}


def match_figures(settings: Settings, log: MatchLog, now: datetime, since: timedelta | None, *, name: str | None = None,
            recent: int = 5, db: Database | None = None) -> list[WatchlistFigures]:
    """Figures of every configured watchlist (or the one named), matches and alerts since ``now - since``
    (everything stored when None); ``recent`` newest matches each."""
    cutoff = now - since if since is not None else None
    chosen = [w for w in settings.watchlists if name is None or w.name == name]
    with database(settings, db) as db:
        counted = log.refresh(settings, db)
        with db.reading() as session:
            start = cutoff or datetime(1970, 1, 1, tzinfo=UTC)
            hours = glance.watchlist_alert_hours(session, start, name)
            rows = glance.watchlist_alert_states(session, start, name)
            reasons = glance.held_back_since(session, start, name)
    alerts: dict[str, Counter[date]] = {w.name: Counter() for w in chosen}
    states: dict[str, Counter[str]] = {w.name: Counter() for w in chosen}
    held: dict[str, Counter[str]] = {w.name: Counter() for w in chosen}
    for watchlist_name, hour, count in hours:
        if watchlist_name in alerts:  # else a watchlist no longer configured
            alerts[watchlist_name][hour.astimezone(BERLIN).date()] += count
    for watchlist_name, state, reason, count in rows:
        if watchlist_name in states:
            states[watchlist_name][state] += count
            if state == "held":
                held[watchlist_name][reason or "?"] += count
    held_back: dict[str, Counter[str]] = {w.name: Counter() for w in chosen}
    for watchlist_name, reason, count in reasons:
        if watchlist_name in held_back:
            held_back[watchlist_name][reason] += count
    first = cutoff.astimezone(BERLIN).date() if cutoff else None
    out = []
    for watchlist in chosen:
        matches = Counter({day: n for day, n in counted.per_day[watchlist.name].items()
                           if first is None or day >= first})
        days = _days(first, now.astimezone(BERLIN).date(), matches, alerts[watchlist.name])
        newest = [f for f in reversed(counted.recent[watchlist.name])
                  if cutoff is None or f.article.when >= cutoff][:recent]
        out.append(WatchlistFigures(watchlist, settings.targets_of(watchlist), sum(matches.values()),
                                    sum(alerts[watchlist.name].values()), dict(states[watchlist.name]),
                                    dict(held[watchlist.name]),
                                    [DayFigures(d, matches[d], alerts[watchlist.name][d]) for d in days], newest,
                                    counted.pending, dict(held_back[watchlist.name])))
    return out


def _days(first: date | None, today: date, *counts: Counter[date]) -> list[date]:
    """Every day from ``first`` to today, quiet days included; without ``first``, the days from the
    first figure to the last."""
    known = [day for count in counts for day in count]
    start = first or min(known, default=today)
    end = max([today, *known]) if first else max(known, default=today)
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]
