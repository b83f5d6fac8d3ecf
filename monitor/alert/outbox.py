"""The transactional outbox: rows written with the article, delivered by a separate job.

Each delivery run (``deliver_due``) plans, then sends:

1. plan: due alert rows of each target become messages (one alert, a fold after quiet hours, a
   rate-limit summary, a digest) or wait (``held``) for quiet hours to end, a rate-limit slot, or
   their digest's time (``alert/plan.py``). Planning only writes rows.
2. send: messages are leased and sent one by one, each outcome committed right after its send:
   pending → sent, or retry with exponential backoff (``delivery.backoff`` doubling) → dead after
   ``delivery.max_attempts``. A message's alerts are fixed before its first try, so a crash between
   send and commit can resend at most that one message (``alert/send.py``).
3. admin: feeds that fail or fall silent are reported to the admin target (``alert/admin.py``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from monitor.alert import storyalerts as story_alerts
from monitor.alert.deliver import Notifier
from monitor.config import Settings
from monitor.match import Matcher, snippet
from monitor.model import Match, hits_json
from monitor.store import repo
from monitor.store.db import Database
from monitor.store.repo import StoredArticle
from monitor.store.retry import retrying

log = logging.getLogger(__name__)


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def alert_rows(article: StoredArticle, source: str, matches: Iterable[Match], settings: Settings,
               now: datetime) -> list[dict[str, Any]]:
    """One outbox row per (watchlist, target) for a new article's matches."""
    by_name = {w.name: w for w in settings.watchlists}
    rows: list[dict[str, Any]] = []
    document = article.document
    for match in matches:
        watchlist = by_name.get(match.watchlist)
        if watchlist is None:
            continue
        excerpt, spans = snippet(document, match)
        payload = {
            "watchlist": match.watchlist,
            "title": article.entry.title,
            "link": article.entry.link,
            "source": source,
            "published": article.entry.published.isoformat() if article.entry.published else None,
            "score": match.score,
            "terms": match.terms,
            "hits": hits_json(match.hits),
            "snippet": excerpt,
            "snippet_spans": [list(span) for span in spans],
        }
        mode, targets = watchlist.mode, settings.targets_of(watchlist)
        digest = settings.monitor.digests.get(mode.removeprefix("digest:")) if mode.startswith("digest:") else None
        if digest is not None and digest.targets:
            targets = list(digest.targets)
        for target in dict.fromkeys(targets):  # the planner holds digest rows until their digest's time
            rows.append({"article_id": article.id, "watchlist": match.watchlist, "target": target,
                         "state": "pending", "mode": mode, "attempts": 0, "next_attempt_at": now,
                         "payload": payload, "created_at": now})
    return rows


def match_and_enqueue(session: Any, articles: Iterable[StoredArticle], source: str, matcher: Matcher,
                      settings: Settings, now: datetime) -> int:
    """Match new articles and write their outbox rows into the open transaction (with an admin
    message for a ``re:`` pattern that had to be switched off meanwhile)."""
    from monitor.alert.admin import report_disabled_patterns

    count = 0
    with matcher.regex_guard.poll(source):  # one poll's budget for regular expressions
        for article in articles:
            matches = [] if article.repeat else matcher.match(article.document)
            previous = matcher.match(article.previous) if matches and article.previous is not None else []
            rows = alert_rows(article, source, matches, settings, now)
            count += repo.add_alerts(session, story_alerts.decide(session, article, matches, previous, rows,
                                                                  settings, now))
    report_disabled_patterns(session, matcher.regex_guard.take_disabled(), settings.monitor.admin, now)
    return count


@dataclass
class DeliveryReport:
    """Messages sent, to retry and dead in one delivery run, and admin alerts queued."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    held: int = 0
    admin: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(db: Database, notifier: Notifier, settings: Settings, clock: Callable[[], datetime],
                *, owner: str | None = None, stop: Callable[[], bool] = lambda: False) -> DeliveryReport:
    """Plan due alerts into messages, check feed health, then send every due message once.

    ``stop`` is asked between messages: when it is true the leases of the messages not yet sent are
    given back (another daemon, or the next run, sends them at once) and the run ends."""
    from monitor.alert.admin import check_feeds
    from monitor.alert.render import renderer_for
    from monitor.alert.send import plan_due, send_due

    report = DeliveryReport()
    report.held = retrying(partial(plan_due, db, settings, clock()), what="plan alerts")
    if settings.monitor.admin is not None:
        feeds = [feed.name for feed in settings.feeds]
        report.admin = retrying(partial(check_feeds, db, settings.monitor.admin, feeds, clock()),
                                what="check feed health")
    renderer = renderer_for(tuple(sorted(settings.templates.items())), settings.monitor.delivery.timezone)
    send_due(db, notifier, renderer, settings, clock, owner or owner_id(), report, stop)
    return report
