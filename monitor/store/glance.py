"""Counts and rows the web view shows beside the CLI's reports: today's articles and stories, the
outbox by state, the alerts of a story, the alerts of each watchlist over a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.tables import Alert, Article, ArticleFeatures, Story


def articles_seen_since(session: Session, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Article).where(Article.first_seen >= since)) or 0


def stories_active_since(session: Session, since: datetime) -> int:
    return session.scalar(select(func.count()).select_from(Story).where(Story.last_seen >= since)) or 0


def outbox_states(session: Session) -> dict[str, int]:
    """Alerts by their exact state (``status`` folds held and queued into pending)."""
    counts = {"pending": 0, "held": 0, "queued": 0, "sent": 0, "dead": 0}
    for state, count in session.execute(select(Alert.state, func.count()).group_by(Alert.state)):
        counts[state] = counts.get(state, 0) + int(count)
    return counts


@dataclass(frozen=True, slots=True)
class AlertOfStory:
    watchlist: str
    target: str
    kind: str
    state: str
    article_id: int
    created_at: datetime


def story_alerts(session: Session, story_id: int) -> list[AlertOfStory]:
    """Every outbox row for an article of the story, oldest first."""
    query = (select(Alert.watchlist, Alert.target, Alert.kind, Alert.state, Alert.article_id, Alert.created_at)
             .join(ArticleFeatures, ArticleFeatures.article_id == Alert.article_id)
             .where(ArticleFeatures.story_id == story_id).order_by(Alert.created_at, Alert.id))
    return [AlertOfStory(*row) for row in session.execute(query)]


@dataclass(frozen=True, slots=True)
class WatchlistAlert:
    watchlist: str
    article_id: int
    kind: str
    state: str
    hold_reason: str | None
    created_at: datetime


def watchlist_alerts(session: Session, since: datetime, watchlist: str | None = None) -> list[WatchlistAlert]:
    """Outbox rows created since ``since`` (of one watchlist, or all), for per-day figures."""
    query = (select(Alert.watchlist, Alert.article_id, Alert.kind, Alert.state, Alert.hold_reason, Alert.created_at)
             .where(Alert.created_at >= since))
    if watchlist is not None:
        query = query.where(Alert.watchlist == watchlist)
    return [WatchlistAlert(*row) for row in session.execute(query)]
