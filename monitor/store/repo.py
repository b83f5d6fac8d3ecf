"""The queries the stages need. Storage decides what is new: the unique keys of ``article_keys``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor.config import FeedConfig
from monitor.model import AlertRow, AlertState, Document, Entry, FetchResult, Validators
from monitor.store.tables import Alert, Article, ArticleSource, Feed
from monitor.store.writes import insert_rows


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a poll needs of a feed row, detached from the session."""

    id: int
    name: str
    url: str
    validators: Validators
    failures: int
    last_ok: datetime | None = None  # None: no successful poll yet (a feed's backlog)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A parsed entry with its identity keys, about to be stored if it is new."""

    entry: Entry
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    feed_id: int
    entry: Entry
    story_id: int | None = None
    revision: int = 1
    previous: Document | None = None  # a revision: the version before this one
    repeat: bool = False  # a known version seen at one more outlet: only its story may change (trending)

    @property
    def is_new(self) -> bool:
        return self.previous is None and not self.repeat

    @property
    def document(self) -> Document:
        return Document(title=self.entry.title, summary=self.entry.summary, body=self.entry.body)


def sync_feeds(session: Session, feeds: Iterable[FeedConfig], now: datetime) -> None:
    """Make a row for every configured feed; a changed URL in config wins and resets validators."""
    rows = {row.name: row for row in session.scalars(select(Feed))}
    for feed in feeds:
        row = rows.get(feed.name)
        if row is None:
            session.add(Feed(name=feed.name, url=feed.url, created_at=now, failures=0, disabled=False))
        elif row.url != feed.url:
            row.url, row.etag, row.last_modified, row.body_hash = feed.url, None, None, None


def soonest_poll(session: Session, names: Sequence[str], after: datetime) -> datetime | None:
    """The earliest next poll of these feeds later than ``after`` (None when there is none)."""
    return session.scalar(select(func.min(Feed.next_poll)).where(Feed.name.in_(names), Feed.disabled.is_(False),
                                                                 Feed.next_poll > after))


def feed_state(session: Session, name: str) -> FeedState | None:
    row = session.scalar(select(Feed).where(Feed.name == name))
    return _state(row) if row else None


def _state(row: Feed) -> FeedState:
    return FeedState(row.id, row.name, row.url, Validators(row.etag, row.last_modified, row.body_hash), row.failures,
                     row.last_ok)


def record_fetch(session: Session, feed_id: int, result: FetchResult, now: datetime, next_poll: datetime,
                 error: str | None = None) -> None:
    """Store the fetch outcome on the feed: validators on success, reason and failure count otherwise."""
    row = session.get_one(Feed, feed_id)
    row.next_poll = next_poll
    reason = error or result.error
    if reason is None:
        row.last_ok, row.failures, row.last_error = now, 0, None
        if not result.not_modified:
            row.etag, row.last_modified, row.body_hash = result.etag, result.last_modified, result.body_hash
        if result.permanent_url:
            row.url = result.permanent_url
    else:
        row.failures += 1
        row.last_error, row.last_error_at = reason[:500], now
    if result.gone:
        row.disabled = True


def add_alerts(session: Session, rows: Iterable[AlertRow]) -> int:
    """Outbox rows for a new article, in the article's own transaction (one executemany)."""
    alerts: list[dict[str, object]] = [dict(row) for row in rows]
    insert_rows(session, Alert, alerts)
    return len(alerts)


def outbox_counts(session: Session) -> dict[str, int]:
    """Alerts by state; held (quiet hours, rate limit, digest) and queued ones count as pending."""
    counts = {AlertState.PENDING.value: 0, AlertState.SENT.value: 0, AlertState.DEAD.value: 0}
    for state, count in session.execute(select(Alert.state, func.count()).group_by(Alert.state)):
        key = state if state in (AlertState.SENT, AlertState.DEAD) else AlertState.PENDING.value
        counts[key] += count
    return counts


def article_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Article)) or 0


def feed_rows(session: Session) -> list[tuple[Feed, int]]:
    counts = (select(ArticleSource.feed_id, func.count().label("n")).group_by(ArticleSource.feed_id).subquery())
    query = select(Feed, func.coalesce(counts.c.n, 0)).outerjoin(counts, counts.c.feed_id == Feed.id).order_by(Feed.id)
    return [(feed, int(n)) for feed, n in session.execute(query)]


def reset_dead(session: Session, now: datetime, alert_id: int | None = None) -> int:
    query = update(Alert).where(Alert.state == AlertState.DEAD)
    if alert_id is not None:
        query = query.where(Alert.id == alert_id)
    result = session.execute(query.values(state=AlertState.PENDING, attempts=0, next_attempt_at=now, last_error=None,
                                          message_id=None, hold_reason=None))
    return int(getattr(result, "rowcount", 0) or 0)
