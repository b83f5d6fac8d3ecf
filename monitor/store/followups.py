"""The outbox rows behind per-story alerting: a story's open follow-up row, new rows, story titles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.model import AlertRow, AlertState
from monitor.store.tables import Alert, ArticleFeatures, Story


def open_followup(session: Session, story_id: int, watchlist: str, target: str, kind: str) -> Alert | None:
    """The story's follow-up row for this watchlist and target that no message has taken yet, locked
    (another daemon folding into it skips it and starts its own)."""
    return session.scalars(
        select(Alert).join(ArticleFeatures, ArticleFeatures.article_id == Alert.article_id)
        .where(ArticleFeatures.story_id == story_id, Alert.watchlist == watchlist,
               Alert.target == target, Alert.kind == kind, Alert.state.in_((AlertState.PENDING, AlertState.HELD)),
               Alert.message_id.is_(None), Alert.lease_owner.is_(None))
        .order_by(Alert.id).limit(1).with_for_update(skip_locked=True)).first()


def add_alert(session: Session, row: AlertRow) -> None:
    session.add(Alert(**row))


def story_title(session: Session, story_id: int) -> str:
    return session.get_one(Story, story_id).title
