"""The stored trail of one article for one watchlist: the article, its story, its outbox rows and
messages, the follow-up rows that list it, and what was held back (for ``newsmon why``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from monitor.store import heldback
from monitor.store.tables import Alert, Article, ArticleFeatures, ArticleKey, Feed, Message


@dataclass(frozen=True, slots=True)
class StoredArticle:
    id: int
    feed: str
    title: str
    link: str | None
    guid: str | None
    summary: str
    body: str
    published: datetime | None
    first_seen: datetime
    story: int | None
    feed_first_ok: datetime | None


def find_article(session: Session, keys: Sequence[str], link: str) -> StoredArticle | None:
    """The article stored under one of ``keys`` (identity keys) or with ``link`` as its link."""
    found = session.scalar(select(ArticleKey.article_id).where(ArticleKey.key.in_(list(keys))).limit(1))
    if found is None:
        found = session.scalar(select(Article.id).where(or_(Article.link == link, Article.guid == link)).limit(1))
    if found is None:
        return None
    article = session.get_one(Article, found)
    feed = session.get_one(Feed, article.feed_id)
    story = session.scalar(select(ArticleFeatures.story_id).where(ArticleFeatures.article_id == found))
    return StoredArticle(article.id, feed.name, article.title, article.link, article.guid, article.summary,
                         article.body or "", article.published, article.first_seen, story, feed.last_ok)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _alert(session: Session, alert: Alert) -> dict[str, Any]:
    message = session.get(Message, alert.message_id) if alert.message_id is not None else None
    return {
        "id": alert.id, "target": alert.target, "kind": alert.kind, "state": alert.state, "mode": alert.mode,
        "created": _iso(alert.created_at), "sent": _iso(alert.sent_at), "hold_reason": alert.hold_reason,
        "next_attempt": _iso(alert.next_attempt_at), "attempts": alert.attempts, "error": alert.last_error,
        "message": None if message is None else {
            "id": message.id, "kind": message.kind, "digest": message.digest, "state": message.state,
            "sent": _iso(message.sent_at), "attempts": message.attempts, "error": message.last_error,
        },
    }


def alerts_of(session: Session, article_id: int, watchlist: str) -> list[dict[str, Any]]:
    """The article's own outbox rows for the watchlist (article, update, trending), with their messages."""
    rows = session.scalars(select(Alert).where(Alert.article_id == article_id, Alert.watchlist == watchlist)
                           .order_by(Alert.id))
    return [_alert(session, row) for row in rows]


def followups_listing(session: Session, story: int | None, article_id: int, watchlist: str) -> list[dict[str, Any]]:
    """The follow-up rows of the article's story that list the article, and the story's first alerts."""
    if story is None:
        return []
    rows = session.scalars(
        select(Alert).join(ArticleFeatures, ArticleFeatures.article_id == Alert.article_id)
        .where(ArticleFeatures.story_id == story, Alert.watchlist == watchlist, Alert.article_id != article_id)
        .order_by(Alert.id))
    out = []
    for row in rows:
        listed = any(item.get("article_id") == article_id for item in row.payload.get("followups", []))
        if row.kind == "followup" and not listed:
            continue
        out.append({**_alert(session, row), "article_id": row.article_id, "lists_this_article": listed})
    return out


def held_of(session: Session, article_id: int, watchlist: str) -> list[dict[str, Any]]:
    return [{"reason": row.reason, "target": row.target, "at": _iso(row.at), "detail": row.detail}
            for row in heldback.of_article(session, article_id, watchlist)]
