"""What a watchlist held back and why (table ``held_back``), and the per-watchlist figures.

Rows are written in the transaction that writes the outbox rows (duplicate, story, exclude,
max_age, backlog) or that holds an alert (quiet, rate), so the figures agree with the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session, object_session

from monitor.model import AlertKind, AlertState, HeldReason
from monitor.store.tables import Alert, ArticleFeatures, HeldBack

REASONS = tuple(HeldReason)
# held back although the article matched (an excluded one did not match in the end)
MATCHING = (HeldReason.DUPLICATE, HeldReason.STORY, HeldReason.MAX_AGE, HeldReason.BACKLOG)


def add(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Held-back decisions: ``{article_id, watchlist, reason, at, target?, detail?}`` each."""
    if rows:
        session.add_all([HeldBack(**{"target": None, "detail": None, **row}) for row in rows])


def record_holds(alerts: Sequence[Alert], reason: str, now: datetime) -> None:
    """An alert held for quiet hours or a rate limit, once per reason while it waits."""
    if reason not in (HeldReason.QUIET, HeldReason.RATE):
        return
    for alert in alerts:
        session = object_session(alert)
        if session is not None and alert.hold_reason != reason:
            session.add(HeldBack(article_id=alert.article_id, watchlist=alert.watchlist, reason=reason,
                                 target=alert.target, at=now, detail={"alert": alert.id}))


def of_article(session: Session, article_id: int, watchlist: str) -> list[HeldBack]:
    query = select(HeldBack).where(HeldBack.article_id == article_id, HeldBack.watchlist == watchlist)
    return list(session.scalars(query.order_by(HeldBack.id)))


def counts(session: Session) -> dict[str, int]:
    """Held-back decisions by reason, all time."""
    found = dict(session.execute(select(HeldBack.reason, func.count()).group_by(HeldBack.reason)).all())
    return {reason: int(found.get(reason, 0)) for reason in REASONS}


def _day(column: Any) -> Any:
    return func.date(column)  # the UTC day; SQLite and PostgreSQL both have date()


def per_day(session: Session, since: datetime) -> dict[tuple[str, str], dict[str, int]]:
    """(watchlist, day) → articles, stories, alerts sent and held back by reason, since ``since``."""
    out: dict[tuple[str, str], dict[str, int]] = {}

    def cell(watchlist: str, day: object) -> dict[str, int]:
        key = (watchlist, str(day)[:10])
        return out.setdefault(key, {"articles": 0, "stories": 0, "alerts_sent": 0,
                                    **{reason: 0 for reason in REASONS}})

    held = select(HeldBack.watchlist, _day(HeldBack.at), HeldBack.reason, func.count(distinct(HeldBack.article_id)))
    for watchlist, day, reason, n in session.execute(
            held.where(HeldBack.at >= since).group_by(HeldBack.watchlist, _day(HeldBack.at), HeldBack.reason)):
        cell(watchlist, day)[reason] = int(n)
    sent = select(Alert.watchlist, _day(Alert.sent_at), func.count()) \
        .where(Alert.state == AlertState.SENT, Alert.sent_at >= since)
    for watchlist, day, n in session.execute(sent.group_by(Alert.watchlist, _day(Alert.sent_at))):
        cell(watchlist, day)["alerts_sent"] = int(n)
    # a matching article: an outbox row of its own, or held back for anything but its exclude
    alerted = select(Alert.watchlist.label("w"), Alert.article_id.label("a"), Alert.created_at.label("at")) \
        .where(Alert.created_at >= since, Alert.kind == AlertKind.ARTICLE)
    kept = select(HeldBack.watchlist.label("w"), HeldBack.article_id.label("a"), HeldBack.at.label("at")) \
        .where(HeldBack.at >= since, HeldBack.reason.in_(MATCHING))
    matched = alerted.union_all(kept).subquery()
    rows = select(matched.c.w, _day(matched.c.at), func.count(distinct(matched.c.a)),
                  func.count(distinct(ArticleFeatures.story_id))) \
        .outerjoin(ArticleFeatures, ArticleFeatures.article_id == matched.c.a) \
        .group_by(matched.c.w, _day(matched.c.at))
    for watchlist, day, articles, stories in session.execute(rows):
        got = cell(watchlist, day)
        got["articles"], got["stories"] = int(articles), int(stories)
    return out
