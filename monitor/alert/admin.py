"""Admin alerts: a feed that fails ``admin.failures`` polls in a row, or that has brought no new
article for ``admin.silence_factor`` times its usual gap (and at least ``admin.min_silence``), is
reported once to the admin target; when it is healthy again, once more.

What was last reported lives in ``feed_health``; the message row is written in the same
transaction, so a report is neither lost nor repeated.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median

from monitor import redact
from monitor.config import AdminConfig
from monitor.match.regexguard import SEARCH_LIMIT, Disabled
from monitor.model import MessageKind
from monitor.store import Session, delivery, health, leases
from monitor.store.db import Database
from monitor.store.health import FeedHealthState

log = logging.getLogger(__name__)
HISTORY = 20  # gaps between new articles that define a feed's usual rhythm
MIN_GAPS = 5  # fewer than this: too young a feed to call it silent


def check_feeds(db: Database, admin: AdminConfig, feeds: list[str], now: datetime) -> int:
    """Compare the health of the configured ``feeds`` with what was last reported; queue a message
    for each change. A feed removed from config is not watched any more."""
    queued = 0
    with db.session() as session:
        leases.serialize(session, "feed-health")  # one daemon at a time: each change is reported once
        for feed in health.feeds_to_assess(session, feeds, HISTORY + 1):
            problem, facts = assess(feed, admin, now)
            before = feed.reported
            if problem == before:
                continue
            health.record_health(session, feed.feed_id, problem, now, str(facts.get("error") or "") or None)
            payload = {"feed": feed.name, "url": redact.url(feed.url), "problem": problem, **facts}
            if problem is None:
                payload["detail"] = {"failing": "Abrufe klappen wieder",
                                     "silent": "neue Artikel kommen wieder"}.get(before or "", "wieder gesund")
            delivery.create_message(session, admin.target, MessageKind.ADMIN, [], now, payload=payload)
            queued += 1
            log.warning("feed health: %s", problem or f"recovered from {before}", extra={"feed": feed.name})
    return queued


def report_disabled_patterns(session: Session, events: Sequence[Disabled], admin: AdminConfig | None,
                             now: datetime) -> int:
    """One admin message per ``re:`` pattern that was switched off for timing out (in the open
    transaction); without an admin target the error log line is all there is."""
    if admin is None:
        return 0
    for event in events:
        # feed and url too: a replaced admin template written for feed reports still renders
        payload = {"problem": "regex", "watchlist": event.watchlist, "pattern": event.pattern,
                   "timeouts": event.timeouts, "limit_ms": round(SEARCH_LIMIT * 1000),
                   "feed": f"Watchlist {event.watchlist}", "url": event.pattern, "failures": event.timeouts,
                   "error": f"{event.pattern}: {event.timeouts} Zeitüberschreitungen, abgeschaltet"}
        delivery.create_message(session, admin.target, MessageKind.ADMIN, [], now, payload=payload)
    return len(events)


def assess(feed: FeedHealthState, admin: AdminConfig, now: datetime) -> tuple[str | None, dict[str, object]]:
    """(problem, facts for the message): failing, silent, or None when healthy. ``feed.seen``: newest first.
    A feed that answered 410 Gone (and is no longer polled) counts as failing at once."""
    seen = feed.seen
    if feed.failures >= admin.failures or feed.disabled:
        return "failing", {"failures": feed.failures, "error": feed.last_error or ""}
    if len(seen) <= MIN_GAPS:
        return None, {}
    gaps = [(newer - older).total_seconds() for newer, older in pairwise(seen)]
    usual = median(gaps)
    quiet_for = (now - seen[0]).total_seconds()
    if quiet_for > max(usual * admin.silence_factor, admin.min_silence):
        return "silent", {"since": seen[0].isoformat(), "usual": duration_text(usual)}
    return None, {}


def duration_text(seconds: float) -> str:
    delta = timedelta(seconds=round(seconds))
    hours, rest = divmod(int(delta.total_seconds()), 3600)
    if hours >= 48:
        return f"{hours // 24} Tage"
    return f"{hours} h {rest // 60} min" if hours else f"{rest // 60} min"
