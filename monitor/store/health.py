"""Feed health as the admin check sees it: each feed's failures, its recent new articles, and
what was last reported about it (``feed_health``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.tables import ArticleSource, Feed, FeedHealth


@dataclass(frozen=True, slots=True)
class FeedHealthState:
    """One configured feed: its poll record, when it last brought new articles (newest first), and
    the problem last reported about it (None: healthy, or never reported)."""

    feed_id: int
    name: str
    url: str
    failures: int
    disabled: bool
    last_error: str | None
    seen: tuple[datetime, ...]
    reported: str | None


def feeds_to_assess(session: Session, names: Sequence[str], history: int) -> list[FeedHealthState]:
    """The feeds named ``names`` in id order, each with its newest ``history`` new-article times."""
    reported = {row.feed_id: row.problem for row in session.scalars(select(FeedHealth))}
    return [FeedHealthState(feed.id, feed.name, feed.url, feed.failures, feed.disabled, feed.last_error,
                            _recent_seen(session, feed.id, history), reported.get(feed.id))
            for feed in session.scalars(select(Feed).where(Feed.name.in_(names)).order_by(Feed.id))]


def record_health(session: Session, feed_id: int, problem: str | None, now: datetime, detail: str | None) -> None:
    """Remember what was reported about the feed, so that each change is reported once."""
    row = session.get(FeedHealth, feed_id)
    if row is None:
        row = FeedHealth(feed_id=feed_id)
        session.add(row)
    row.problem, row.since, row.detail = problem, now, detail


def _recent_seen(session: Session, feed_id: int, history: int) -> tuple[datetime, ...]:
    query = (select(ArticleSource.seen_at).where(ArticleSource.feed_id == feed_id)
             .order_by(ArticleSource.seen_at.desc()).limit(history))  # ix_article_sources_feed_seen
    return tuple(_aware(seen_at) for seen_at in session.scalars(query))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
