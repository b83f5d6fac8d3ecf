"""Counts and rows the web view shows beside the CLI's reports: today's articles and stories, the
outbox by state, the alerts of a story, the alerts of each watchlist over a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, String, func, select
from sqlalchemy.orm import Session

from monitor.store.tables import Alert, Article, ArticleFeatures, HeldBack, Story


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


def _hour(session: Session) -> ColumnElement[str]:
    """``created_at``'s UTC hour as ``YYYY-MM-DD HH`` (whole hours map onto Berlin days exactly)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.substr(Alert.created_at, 1, 13, type_=String)  # stored as ISO text
    return func.to_char(Alert.created_at, "YYYY-MM-DD HH24", type_=String)


def watchlist_alert_hours(session: Session, since: datetime,
                          watchlist: str | None = None) -> list[tuple[str, datetime, int]]:
    """Alerts created since ``since`` per watchlist and UTC hour: one per article and kind, however
    many targets it went to (their rows are written together)."""
    hour = _hour(session)
    query = (select(Alert.watchlist, Alert.kind, hour, func.count(Alert.article_id.distinct()))
             .where(Alert.created_at >= since).group_by(Alert.watchlist, Alert.kind, hour))
    if watchlist is not None:
        query = query.where(Alert.watchlist == watchlist)
    return [(name, datetime.strptime(text, "%Y-%m-%d %H").replace(tzinfo=UTC), int(count))
            for name, _kind, text, count in session.execute(query)]


def watchlist_alert_states(session: Session, since: datetime,
                           watchlist: str | None = None) -> list[tuple[str, str, str | None, int]]:
    """Outbox rows created since ``since`` per watchlist, state and hold reason."""
    query = (select(Alert.watchlist, Alert.state, Alert.hold_reason, func.count())
             .where(Alert.created_at >= since).group_by(Alert.watchlist, Alert.state, Alert.hold_reason))
    if watchlist is not None:
        query = query.where(Alert.watchlist == watchlist)
    return [(name, str(state), reason, int(count)) for name, state, reason, count in session.execute(query)]


def held_back_since(session: Session, since: datetime,
                    watchlist: str | None = None) -> list[tuple[str, str, int]]:
    """Held-back decisions since ``since`` per watchlist and reason: articles, each once per reason."""
    query = (select(HeldBack.watchlist, HeldBack.reason, func.count(HeldBack.article_id.distinct()))
             .where(HeldBack.at >= since).group_by(HeldBack.watchlist, HeldBack.reason))
    if watchlist is not None:
        query = query.where(HeldBack.watchlist == watchlist)
    return [(name, str(reason), int(count)) for name, reason, count in session.execute(query)]
