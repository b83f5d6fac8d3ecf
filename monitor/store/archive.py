"""Reading stored articles back for ``newsmon search`` and ``newsmon backtest``.

Articles are read in id order (keyset pagination, a short read transaction per batch), so a
search over a large database never holds a lock for long and its memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.orm import Session

from monitor.model import Document
from monitor.store.db import Database
from monitor.store.tables import Article, ArticleFeatures, Feed

BATCH = 500


@dataclass(frozen=True, slots=True)
class StoredView:
    """What search and backtest show of a stored article."""

    id: int
    title: str
    link: str | None
    guid: str | None
    published: datetime | None
    first_seen: datetime
    source: str
    story: int | None
    document: Document

    @property
    def when(self) -> datetime:
        return self.published or self.first_seen


def when() -> ColumnElement[datetime]:
    """Published time, else first-seen time: what ``--since`` filters and results are ordered by
    (the expression index ``ix_articles_when`` serves both)."""
    return func.coalesce(Article.published, Article.first_seen)


def _since(since: datetime | None) -> ColumnElement[bool]:
    return Article.id.is_not(None) if since is None else when() >= since


def count(db: Database, since: datetime | None) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Article).where(_since(since))) or 0


def articles(db: Database, since: datetime | None, *, newest_first: bool = False) -> Iterator[StoredView]:
    """Every stored article published (or, without a date, first seen) at or after ``since``, in
    order of that time (oldest first, or newest first)."""
    last: tuple[datetime, int] | None = None
    while True:
        with db.reading() as session:
            batch = _batch(session, since, last, newest_first)
        yield from batch
        if len(batch) < BATCH:
            return
        last = (batch[-1].when, batch[-1].id)


def articles_after(db: Database, after_id: int, since: datetime | None) -> Iterator[StoredView]:
    """Articles stored after the one with id ``after_id`` (in id order, so a reader can pick up where it
    stopped), published at or after ``since``."""
    last = after_id
    while True:
        with db.reading() as session:
            query = (select(Article, Feed.name, ArticleFeatures.story_id).join(Feed, Feed.id == Article.feed_id)
                     .outerjoin(ArticleFeatures, ArticleFeatures.article_id == Article.id)
                     .where(Article.id > last, _since(since)).order_by(Article.id).limit(BATCH))
            batch = [_view(row, source, story) for row, source, story in session.execute(query)]
        yield from batch
        if len(batch) < BATCH:
            return
        last = batch[-1].id


def last_id(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.max(Article.id))) or 0


def _view(row: Article, source: str, story: int | None) -> StoredView:
    return StoredView(row.id, row.title, row.link, row.guid, row.published, row.first_seen, source, story,
                      Document(row.title, row.summary or "", row.body or ""))


def _batch(session: Session, since: datetime | None, after: tuple[datetime, int] | None,
           newest_first: bool) -> list[StoredView]:
    key = tuple_(when(), Article.id)
    query = (select(Article, Feed.name, ArticleFeatures.story_id).join(Feed, Feed.id == Article.feed_id)
             .outerjoin(ArticleFeatures, ArticleFeatures.article_id == Article.id).where(_since(since)))
    if after is not None:
        query = query.where(key < tuple_(*after) if newest_first else key > tuple_(*after))
    order = (when().desc(), Article.id.desc()) if newest_first else (when(), Article.id)
    query = query.order_by(*order).limit(BATCH)
    return [_view(row, source, story) for row, source, story in session.execute(query)]
