"""The stored state as counts, for the metrics endpoint: one short read transaction per scrape."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.model import AlertState
from monitor.store.repo import article_count
from monitor.store.tables import Alert, Feed

ALERT_STATES = tuple(state.value for state in AlertState)


@dataclass(frozen=True, slots=True)
class FeedPolls:
    name: str
    failures: int
    last_ok: datetime | None


@dataclass(frozen=True, slots=True)
class StoredCounts:
    articles: int
    alerts: dict[str, int]  # by state, every state present
    matched: dict[str, int]  # distinct articles per watchlist
    feeds: list[FeedPolls]


def stored_counts(session: Session) -> StoredCounts:
    alerts = dict.fromkeys(ALERT_STATES, 0)
    for state, count in session.execute(select(Alert.state, func.count()).group_by(Alert.state)):
        alerts[state] = count
    query = select(Alert.watchlist, func.count(func.distinct(Alert.article_id))).group_by(Alert.watchlist)
    matched = {watchlist: count for watchlist, count in session.execute(query)}
    feeds = [FeedPolls(feed.name, feed.failures, feed.last_ok) for feed in session.scalars(select(Feed))]
    return StoredCounts(article_count(session), alerts, matched, feeds)
