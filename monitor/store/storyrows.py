"""Stories in the database: rows, outlets, and the queries behind ``newsmon stories``, ``status`` and
per-story alerting (the story state the decisions read is ``storyterms``')."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.store.batch import chunks
from monitor.store.tables import Alert, Article, ArticleFeatures, ArticleSource, Feed, Story, StoryOutlet


def outlets_within(session: Session, story_id: int, since: datetime) -> int:
    query = select(func.count()).select_from(StoryOutlet).where(StoryOutlet.story_id == story_id,
                                                                 StoryOutlet.first_seen >= since)
    return session.scalar(query) or 0


def story_of(session: Session, article_id: int) -> int | None:
    return session.scalar(select(ArticleFeatures.story_id).where(ArticleFeatures.article_id == article_id))


def story_alerts(session: Session, story_id: int, watchlist: str, exclude: tuple[str, ...],
                 target: str | None = None) -> list[Alert]:
    """Outbox rows of a watchlist (for one target, or any) for any article of the story, except those
    of the kinds given."""
    query = (select(Alert).join(ArticleFeatures, ArticleFeatures.article_id == Alert.article_id)
             .where(ArticleFeatures.story_id == story_id, Alert.watchlist == watchlist, Alert.kind.not_in(exclude))
             .order_by(Alert.id))
    if target is not None:
        query = query.where(Alert.target == target)
    return list(session.scalars(query))


def article_alerts(session: Session, article_id: int, watchlist: str) -> list[Alert]:
    return list(session.scalars(select(Alert).where(Alert.article_id == article_id, Alert.watchlist == watchlist)))


def outlets_of(session: Session, story_id: int) -> list[str]:
    return list(session.scalars(select(StoryOutlet.outlet).where(StoryOutlet.story_id == story_id)
                                .order_by(StoryOutlet.first_seen, StoryOutlet.outlet)))


def story_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Story)) or 0


@dataclass(frozen=True, slots=True)
class StoryView:
    id: int
    title: str
    first_seen: datetime
    last_seen: datetime
    article_count: int
    outlet_count: int
    outlets: list[str]
    articles: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "first_seen": self.first_seen.isoformat(),
                "last_seen": self.last_seen.isoformat(), "article_count": self.article_count,
                "outlet_count": self.outlet_count, "outlets": self.outlets, "articles": self.articles}


def recent_stories(session: Session, now: datetime, since: timedelta, min_articles: int = 1,
                   limit: int = 100, *, articles: bool = True) -> list[StoryView]:
    """Stories active since ``now - since``, biggest first, each with its articles and sources
    (or, without ``articles``, with outlets only: a list of big stories needs no more)."""
    query = (select(Story).where(Story.last_seen >= now - since, Story.article_count >= min_articles)
             .order_by(Story.outlet_count.desc(), Story.article_count.desc(), Story.last_seen.desc()).limit(limit))
    return _views(session, list(session.scalars(query)), articles=articles)


def story_view(session: Session, story_id: int) -> StoryView | None:
    story = session.get(Story, story_id)
    return _views(session, [story])[0] if story else None


def _views(session: Session, found: list[Story], *, articles: bool = True) -> list[StoryView]:
    """The stories with their outlets, articles and sources: three queries for all of them."""
    ids = [story.id for story in found]
    outlets: dict[int, list[str]] = {story_id: [] for story_id in ids}
    rows: dict[int, list[dict[str, Any]]] = {story_id: [] for story_id in ids}
    by_article: dict[int, dict[str, Any]] = {}
    for part in chunks(ids):
        for story_id, outlet in session.execute(
                select(StoryOutlet.story_id, StoryOutlet.outlet).where(StoryOutlet.story_id.in_(part))
                .order_by(StoryOutlet.story_id, StoryOutlet.first_seen, StoryOutlet.outlet)):
            outlets[story_id].append(outlet)
        if not articles:
            continue
        for article, owner, revision in session.execute(
                select(Article, ArticleFeatures.story_id, ArticleFeatures.revision)
                .join(ArticleFeatures, ArticleFeatures.article_id == Article.id)
                .where(ArticleFeatures.story_id.in_(part)).order_by(Article.first_seen, Article.id)):
            row = {"id": article.id, "title": article.title, "link": article.link,
                   "published": article.published.isoformat() if article.published else None,
                   "first_seen": article.first_seen.isoformat(), "revision": revision, "sources": []}
            rows[owner or 0].append(row)
            by_article[article.id] = row
    for part in chunks(list(by_article)):
        for article_id, feed, seen_outlet, link, seen in session.execute(
                select(ArticleSource.article_id, Feed.name, ArticleSource.outlet, ArticleSource.link,
                       ArticleSource.seen_at).join(Feed, Feed.id == ArticleSource.feed_id)
                .where(ArticleSource.article_id.in_(part)).order_by(ArticleSource.seen_at, Feed.name)):
            by_article[article_id]["sources"].append({"feed": feed, "outlet": seen_outlet, "link": link,
                                                      "seen_at": seen.isoformat()})
    return [StoryView(story.id, story.title, story.first_seen, story.last_seen, story.article_count,
                      story.outlet_count, outlets[story.id], rows[story.id]) for story in found]
