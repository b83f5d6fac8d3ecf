"""Time bounds for ``re:`` patterns: per search, per article, per poll, and a pattern that keeps
timing out is switched off.

One search of one field is cut off after ``SEARCH_LIMIT``. That alone let a few catastrophic
patterns over a few hundred articles stall a poll for minutes, so the searches of one article share
``ARTICLE_BUDGET`` and those of one poll (one feed's new articles) ``POLL_BUDGET``; a search gets
what is left. Once a budget is spent, a pattern that timed out before is skipped (it counts as not
found) and one that never did still gets ``FLOOR`` (a sound pattern finishes in microseconds, so
a bad one cannot starve it; a poll is bounded by ``POLL_BUDGET`` plus ``FLOOR`` per pattern). A pattern that
timed out ``DISABLE_AFTER`` times in a row with the full limit is disabled for the life of the
compiled watchlists (a reload or restart tries it again); ``take_disabled`` hands those events to
whoever tells the admin.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import regex

log = logging.getLogger(__name__)

SEARCH_LIMIT = 0.05  # one pattern over one field
ARTICLE_BUDGET = 0.5  # every pattern over every field of one article
POLL_BUDGET = 5.0  # every pattern over one poll's new articles
FLOOR = 0.005  # a pattern that never timed out still gets this much once a budget is spent
DISABLE_AFTER = 3  # full-limit timeouts in a row before a pattern is switched off
MAX_HITS = 50


@dataclass(frozen=True, slots=True)
class Disabled:
    """A pattern switched off: which watchlist, which pattern, after how many timeouts."""

    watchlist: str
    pattern: str
    timeouts: int


@dataclass(slots=True)
class RegexGuard:
    """The budgets and timeout counts of one compiled set of watchlists (one ``Matcher``)."""

    _streak: dict[tuple[str, str], int] = field(default_factory=dict)
    _suspect: set[tuple[str, str]] = field(default_factory=set)  # timed out, not finished a search since
    _this_article: set[tuple[str, str]] = field(default_factory=set)  # timed out in the current article
    _off: set[tuple[str, str]] = field(default_factory=set)
    _events: list[Disabled] = field(default_factory=list)
    _article_left: float = ARTICLE_BUDGET
    _poll_left: float | None = None  # None: not inside a poll (search, backtest, offline match)
    _skipped: int = 0
    _poll_name: str = ""

    def begin_article(self) -> None:
        self._article_left = ARTICLE_BUDGET
        self._this_article.clear()

    @contextmanager
    def poll(self, name: str) -> Iterator[None]:
        """One poll's budget around matching a feed's new articles; ``name`` is for the log."""
        self._poll_left, self._skipped, self._poll_name = POLL_BUDGET, 0, name
        try:
            yield
        finally:
            if self._skipped:
                log.warning("regular expression budget of this poll (%.1fs) spent: %d searches skipped",
                            POLL_BUDGET, self._skipped, extra={"feed": name})
            self._poll_left, self._skipped = None, 0

    def search(self, compiled: regex.Pattern[str], text: str, watchlist: str, label: str) -> list[tuple[int, int]]:
        """Non-empty matches of ``compiled`` in ``text`` within what the budgets allow."""
        key = (watchlist, label)
        if key in self._off:
            return []
        left = self._article_left if self._poll_left is None else min(self._article_left, self._poll_left)
        limit = min(SEARCH_LIMIT, left)
        if limit < FLOOR:
            if key in self._suspect:  # spent budgets go to patterns that never timed out
                self._skipped += 1
                return []
            limit = FLOOR
        spans: list[tuple[int, int]] = []
        started = time.perf_counter()
        try:
            for found in compiled.finditer(text, timeout=limit):
                if found.end() > found.start():
                    spans.append((found.start(), found.end()))
                    if len(spans) >= MAX_HITS:
                        break
        except TimeoutError:
            self._timed_out(key, full=limit >= SEARCH_LIMIT)
        else:
            if key not in self._this_article:  # a pattern counts as sound when no field of the article timed out
                self._streak.pop(key, None)
                self._suspect.discard(key)
        finally:
            spent = time.perf_counter() - started
            self._article_left -= spent
            if self._poll_left is not None:
                self._poll_left -= spent
        return spans

    def _timed_out(self, key: tuple[str, str], *, full: bool) -> None:
        watchlist, pattern = key
        extra = {"watchlist": watchlist, "pattern": pattern, "feed": self._poll_name or None}
        self._suspect.add(key)
        if key in self._this_article:
            return  # a streak counts articles, not fields
        self._this_article.add(key)
        if not full:  # cut short by a spent budget: says nothing about the pattern itself
            log.info("regular expression stopped at the end of the time budget", extra=extra)
            return
        streak = self._streak[key] = self._streak.get(key, 0) + 1
        if streak < DISABLE_AFTER:
            log.warning("regular expression timed out after %.0f ms (%d in a row)", SEARCH_LIMIT * 1000, streak,
                        extra=extra)
            return
        self._off.add(key)
        self._events.append(Disabled(watchlist, pattern, streak))
        log.error("regular expression disabled after %d timeouts in a row; fix the watchlist and reload",
                  streak, extra=extra)

    def take_disabled(self) -> list[Disabled]:
        """Patterns disabled since the last call (each reported once)."""
        events, self._events = self._events, []
        return events

    @property
    def disabled(self) -> list[tuple[str, str]]:
        return sorted(self._off)
