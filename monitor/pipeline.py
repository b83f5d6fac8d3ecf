"""The path of one feed through newsmon, read top to bottom:

fetch → parse → dedup → store (only new rows) → match → outbox.

``poll_feed`` is that line for one feed; ``ingest`` is everything after the fetch, which
``daemon.polling.poll_claimed`` calls for each body as a batch of leased feeds is fetched concurrently.
No HTTP or SQL here: each stage is a call.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from monitor import redact
from monitor.alert.admin import report_disabled_patterns
from monitor.alert.outbox import Matched, enqueue, too_old
from monitor.config import Settings
from monitor.dedup.features import identity_keys
from monitor.dedup.stage import Deduplicator
from monitor.errors import ParseError
from monitor.feeds.schedule import next_poll
from monitor.match import Matcher
from monitor.model import FetchResult, HeldReason
from monitor.store import repo
from monitor.store.db import Database
from monitor.store.repo import Candidate, FeedState, StoredArticle

log = logging.getLogger(__name__)


@dataclass
class PollContext:
    """What every poll needs: settings, database, compiled watchlists, a clock and a random source."""

    settings: Settings
    db: Database
    matcher: Matcher
    clock: Callable[[], datetime]
    rng: random.Random = field(default_factory=random.Random)
    dedup: Deduplicator = field(default_factory=Deduplicator)

    def wants_fulltext(self, feed_name: str) -> bool:
        return any(feed.fulltext for feed in self.settings.feeds if feed.name == feed_name)

    def guarded(self, feed_name: str) -> bool:
        """The feed's URL came from content (OPML, a fetched page): fetched with the address guard."""
        return any(feed.guarded for feed in self.settings.feeds if feed.name == feed_name)

    def skips_backlog(self, feed: FeedState) -> bool:
        """A feed's first successful poll whose backlog is stored without alerts (``backlog: skip``)."""
        if feed.last_ok is not None:
            return False
        for config in self.settings.feeds:
            if config.name == feed.name and config.backlog is not None:
                return config.backlog == "skip"
        return self.settings.monitor.poll.backlog == "skip"

    def interval_of(self, feed_name: str) -> float:
        for feed in self.settings.feeds:
            if feed.name == feed_name:
                return feed.interval or self.settings.monitor.poll.interval
        return self.settings.monitor.poll.interval


@dataclass(frozen=True, slots=True)
class PollOutcome:
    feed: str
    new_articles: int = 0
    alerts: int = 0
    not_modified: bool = False
    error: str | None = None


def poll_feed(ctx: PollContext, feed: FeedState) -> PollOutcome:
    """One feed, one poll: the whole path."""
    from monitor.feeds.fetcher import fetch

    result = fetch(feed.url, feed.validators, ctx.settings.monitor.http, guarded=ctx.guarded(feed.name))
    return ingest(ctx, feed, result)


def ingest(ctx: PollContext, feed: FeedState, result: FetchResult) -> PollOutcome:
    now = ctx.clock()
    if not result.ok or result.not_modified or result.body is None:
        return record_outcome(ctx, feed, result, now, result.error or ("gone (HTTP 410)" if result.gone else None))
    from monitor.feeds.parse.reader import parse  # here: feeds that did not change need no parser

    try:
        parsed = parse(result.body, result.url)
    except ParseError as err:
        return record_outcome(ctx, feed, result, now, str(err))  # says "not a feed: …" itself
    candidates = [Candidate(entry, identity_keys(entry, feed.id)) for entry in parsed.entries]
    if ctx.wants_fulltext(feed.name):
        candidates = _with_fulltext(ctx, candidates)
    failures = 0
    with ctx.dedup.stage(), ctx.db.session() as session:
        new = ctx.dedup.store(session, feed, candidates, now)
        matched = match(ctx.matcher, new, ctx.settings, now, backlog=ctx.skips_backlog(feed), feed=feed.name)
        alerts = enqueue(session, matched, feed.name, ctx.settings, now)
        report_disabled_patterns(session, ctx.matcher.regex_guard.take_disabled(), ctx.settings.monitor.admin, now)
        repo.record_fetch(session, feed.id, result, now, next_poll(now, ctx.interval_of(feed.name), result,
                                                                    failures, ctx.rng))
    fresh = sum(1 for article in new if article.is_new)
    log.info("polled: %d entries, %d new, %d alerts", len(candidates), fresh, alerts,
             extra={"feed": feed.name, "url": feed.url})
    return PollOutcome(feed.name, fresh, alerts)


def record_failure(ctx: PollContext, feed: FeedState, result: FetchResult, error: str) -> PollOutcome:
    """A poll whose entries could not be stored: the error goes on the feed, which backs off."""
    return record_outcome(ctx, feed, result, ctx.clock(), error)


def match(matcher: Matcher, articles: Sequence[StoredArticle], settings: Settings | None = None,
          now: datetime | None = None, *, backlog: bool = False, feed: str = "") -> list[Matched]:
    """The match stage: the watchlists each new article matches; an update is matched again, with what
    its previous version matched beside it (it re-alerts only for a term new in it). A repeat (a
    known article at one more outlet), an excluded match, an article older than ``delivery.max_age``
    and, with ``backlog``, every entry of a feed's first poll are held back, with the reason. The
    ``re:`` patterns of one feed's poll share one time budget."""
    matched = []
    with matcher.regex_guard.poll(feed):
        for article in articles:
            excluded: list[str] = []
            matches = matcher.match(article.document, excluded)
            held = [(name, HeldReason.EXCLUDE) for name in excluded]
            reason = HeldReason.DUPLICATE if article.repeat else HeldReason.BACKLOG if backlog else \
                HeldReason.MAX_AGE if settings is not None and now is not None and too_old(article, settings, now) \
                else None
            if reason is not None:
                held += [(m.watchlist, reason) for m in matches]
                matches = []
            previous = matcher.match(article.previous) if matches and article.previous is not None else []
            matched.append(Matched(article, matches, previous, held))
    return matched


def _with_fulltext(ctx: PollContext, candidates: list[Candidate]) -> list[Candidate]:
    """Teasers of entries not stored yet get their page's text, fetched before the write transaction."""
    from monitor.feeds.fulltext import enrich
    from monitor.store.batch import known_keys

    with ctx.db.reading() as session:
        known = known_keys(session, [key for candidate in candidates for key in candidate.keys]).keys()
    fresh = [i for i, candidate in enumerate(candidates) if known.isdisjoint(candidate.keys)]
    http = ctx.settings.monitor.http
    entries = enrich([candidates[i].entry for i in fresh], http, allow_private=http.allow_private,
                     cache_dir=ctx.settings.state_dir / "fulltext")
    enriched = list(candidates)
    for i, entry in zip(fresh, entries, strict=True):
        enriched[i] = Candidate(entry, candidates[i].keys)
    return enriched


def record_outcome(ctx: PollContext, feed: FeedState, result: FetchResult, now: datetime, error: str | None
                   ) -> PollOutcome:
    """A poll that stored no entries: not modified, or failed with ``error`` (kept masked: it is shown
    in reports and admin alerts)."""
    error = redact.text(error) if error else error
    failures = feed.failures + 1 if error else 0
    when = next_poll(now, ctx.interval_of(feed.name), result, failures, ctx.rng)
    with ctx.db.session() as session:
        repo.record_fetch(session, feed.id, result, now, when, error=error)
    if error:
        log.warning("poll failed: %s", error, extra={"feed": feed.name, "url": feed.url})
    return PollOutcome(feed.name, not_modified=result.not_modified, error=error)
