"""The transactional outbox: rows written with the article, delivered by a separate job.

pending → sent, or pending → retry with exponential backoff (``delivery.backoff`` doubling) →
dead after ``delivery.max_attempts``. Rows are leased in a batch and each is committed right after
its send, so a crash can resend at most the one message in flight.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from monitor.alert.deliver import Notifier
from monitor.alert.render import render
from monitor.config import Settings
from monitor.errors import DeliveryError
from monitor.match import Matcher, snippet
from monitor.model import Match
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
        excerpt, _spans = snippet(document, match)
        payload = {
            "watchlist": match.watchlist,
            "title": article.entry.title,
            "link": article.entry.link,
            "source": source,
            "published": article.entry.published.isoformat() if article.entry.published else None,
            "score": match.score,
            "terms": match.terms,
            "hits": [{"term": h.term, "field": h.field, "start": h.start, "end": h.end, "text": h.text}
                     for h in match.hits],
            "snippet": excerpt,
        }
        for target in settings.targets_of(watchlist):
            rows.append({"article_id": article.id, "watchlist": match.watchlist, "target": target,
                         "state": "pending", "attempts": 0, "next_attempt_at": now, "payload": payload,
                         "created_at": now})
    return rows


def match_and_enqueue(session: Any, articles: Iterable[StoredArticle], source: str, matcher: Matcher,
                      settings: Settings, now: datetime) -> int:
    """Match new articles and write their outbox rows into the open transaction."""
    count = 0
    for article in articles:
        matches = matcher.match(article.document)
        if matches:
            count += repo.add_alerts(session, alert_rows(article, source, matches, settings, now))
    return count


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def deliver_due(db: Database, notifier: Notifier, settings: Settings, clock: Callable[[], datetime],
                *, owner: str | None = None) -> DeliveryReport:
    """Send every due outbox row once; record sent, a retry time, or dead."""
    owner = owner or owner_id()
    report = DeliveryReport()
    delivery = settings.monitor.delivery
    while True:
        with db.session() as session:
            lease = timedelta(seconds=settings.monitor.lease)
            claimed = [row.id for row in repo.claim_due_alerts(session, clock(), owner, lease, delivery.batch)]
        if not claimed:
            return report
        for alert_id in claimed:
            _deliver_one(db, notifier, alert_id, clock, owner, delivery.backoff, delivery.max_attempts, report)


def _deliver_one(db: Database, notifier: Notifier, alert_id: int, clock: Callable[[], datetime], owner: str,
                 backoff: float, max_attempts: int, report: DeliveryReport) -> None:
    with db.session() as session:
        alert, _article, _source = repo.alert_context(session, alert_id)
        target, payload, attempts = alert.target, dict(alert.payload), alert.attempts
        if alert.lease_owner != owner or alert.lease_until is None or alert.lease_until <= clock():
            return  # the lease ran out while earlier rows were sent; another daemon may have it now
    error: str | None = None
    try:
        title, body = render(payload, notifier.format_of(target))
        notifier.send(target, title, body)
    except DeliveryError as err:
        error = str(err)
    retry_at = None
    if error is not None and attempts + 1 < max_attempts:
        retry_at = clock() + timedelta(seconds=backoff * 2**attempts)
    state = retrying(partial(_finish, db, alert_id, clock(), error, retry_at, owner), what="record delivery")
    extra = {"alert": alert_id, "target": target, "watchlist": payload.get("watchlist")}
    if state == "sent":
        report.sent += 1
        log.info("alert sent", extra=extra)
    elif state == "dead":
        report.dead += 1
        report.errors.append(f"{target}: {error}")
        log.error("alert dead after %d attempts: %s", attempts + 1, error, extra=extra)
    else:
        report.retried += 1
        report.errors.append(f"{target}: {error}")
        log.warning("alert delivery failed, retry at %s: %s", retry_at, error, extra=extra)


def _finish(db: Database, alert_id: int, now: datetime, error: str | None, retry_at: datetime | None,
            owner: str) -> str:
    with db.session() as session:
        return repo.finish_alert(session, alert_id, now, error=error, retry_at=retry_at, owner=owner)
