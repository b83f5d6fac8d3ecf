"""Outbox queries of the delivery job: plan alerts into messages, lease and finish messages,
list and retry dead ones. Rows are locked ``FOR UPDATE SKIP LOCKED`` where the database has it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.model import AlertState, MessageKind, MessageState
from monitor.store import heldback
from monitor.store.tables import Alert, Article, Message

RATE_COUNTED = ("alert", "quiet", "summary")
WAITING = (AlertState.PENDING, AlertState.HELD, AlertState.QUEUED)


@dataclass(frozen=True, slots=True)
class MessageJob:
    """A leased message with what rendering needs, detached from the session."""

    id: int
    target: str
    kind: str
    digest: str | None
    attempts: int
    payload: dict[str, Any] | None
    alerts: tuple[dict[str, Any], ...]


def lock_plannable(session: Session, now: datetime, limit: int = 10_000) -> list[Alert]:
    """Alerts due for planning (fresh, or waiting whose time has come), oldest first, locked."""
    query = (
        select(Alert)
        .where(Alert.state.in_((AlertState.PENDING, AlertState.HELD)), Alert.next_attempt_at <= now)
        .order_by(Alert.created_at, Alert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def plannable_by_target(session: Session, now: datetime) -> dict[str, list[Alert]]:
    """``lock_plannable``'s alerts by target, each target's oldest first."""
    by_target: dict[str, list[Alert]] = {}
    for alert in lock_plannable(session, now):
        by_target.setdefault(alert.target, []).append(alert)
    return by_target


def usage(session: Session, target: str, now: datetime, window: float) -> tuple[int, datetime | None]:
    """Messages to ``target`` counted against its rate limit (sent in the window, or in flight), and
    the oldest send in the window."""
    since = now - timedelta(seconds=window)
    counted = (Message.target == target, Message.kind.in_(RATE_COUNTED))
    sent = session.execute(select(func.count(), func.min(Message.sent_at))
                           .where(*counted, Message.state == MessageState.SENT, Message.sent_at > since)).one()
    flying = session.scalar(select(func.count()).select_from(Message)
                            .where(*counted, Message.state == MessageState.PENDING))
    return int(sent[0]) + int(flying or 0), sent[1]


def create_message(session: Session, target: str, kind: str, alerts: Sequence[Alert], now: datetime,
                   digest: str | None = None, payload: dict[str, Any] | None = None) -> Message:
    return create_messages(session, target, [(kind, alerts, digest)], now, payload=payload)[0]


def create_messages(session: Session, target: str, planned: Sequence[tuple[str, Sequence[Alert], str | None]],
                    now: datetime, payload: dict[str, Any] | None = None) -> list[Message]:
    """Messages to ``target``, each with its alerts (now ``queued``); one flush for all of them."""
    messages = [Message(target=target, kind=kind, digest=digest, state=MessageState.PENDING, attempts=0,
                        next_attempt_at=now, payload=payload, created_at=now) for kind, _alerts, digest in planned]
    session.add_all(messages)
    session.flush()
    for message, (_kind, alerts, _digest) in zip(messages, planned, strict=True):
        for alert in alerts:
            alert.state, alert.message_id, alert.hold_reason = AlertState.QUEUED, message.id, None
    return messages


def hold(alerts: Sequence[Alert], until: datetime, reason: str, now: datetime | None = None) -> None:
    if now is not None:
        heldback.record_holds(alerts, reason, now)
    for alert in alerts:
        alert.state, alert.next_attempt_at, alert.hold_reason = AlertState.HELD, until, reason


def claim_messages(session: Session, now: datetime, owner: str, lease: timedelta, limit: int) -> list[int]:
    """Lease due messages; a lease that ran out (its owner crashed) is taken over."""
    query = (
        select(Message)
        .where(Message.state == MessageState.PENDING, Message.next_attempt_at <= now,
               or_(Message.lease_until.is_(None), Message.lease_until < now))
        .order_by(Message.next_attempt_at, Message.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.lease_owner, row.lease_until = owner, now + lease
    return [row.id for row in rows]


def release_messages(session: Session, message_ids: Sequence[int], owner: str) -> int:
    """Give back this owner's leases on messages it will not send now; returns how many."""
    result = session.execute(update(Message).where(Message.id.in_(message_ids), Message.lease_owner == owner,
                                                   Message.state == MessageState.PENDING)
                             .values(lease_owner=None, lease_until=None))
    return int(getattr(result, "rowcount", 0) or 0)


def message_job(session: Session, message_id: int, owner: str, now: datetime) -> MessageJob | None:
    """The leased message with its alerts; None when this owner's lease on it is gone."""
    message = session.get_one(Message, message_id)
    if message.lease_owner != owner or message.lease_until is None or message.lease_until <= now:
        return None
    alerts = session.scalars(select(Alert).where(Alert.message_id == message_id).order_by(Alert.created_at,
                                                                                          Alert.id))
    return MessageJob(message.id, message.target, message.kind, message.digest, message.attempts,
                      dict(message.payload) if message.payload else None,
                      tuple(dict(alert.payload, id=alert.id) for alert in alerts))


def finish_message(session: Session, message_id: int, now: datetime, *, error: str | None,
                   retry_at: datetime | None, owner: str) -> str:
    """Record one attempt on the message and its alerts; a message leased by another owner is left alone."""
    message = session.get_one(Message, message_id)
    if message.lease_owner != owner or message.state != MessageState.PENDING:
        return message.state
    message.attempts += 1
    message.lease_owner, message.lease_until = None, None
    if error is None:
        message.state, message.sent_at, message.last_error = MessageState.SENT, now, None
    elif retry_at is None:
        message.state, message.last_error = MessageState.DEAD, error[:1000]
    else:
        message.next_attempt_at, message.last_error = retry_at, error[:1000]
    for alert in session.scalars(select(Alert).where(Alert.message_id == message_id)):
        alert.attempts = message.attempts
        alert.last_error = message.last_error
        if message.state == MessageState.SENT:
            alert.state, alert.sent_at = AlertState.SENT, now
        elif message.state == MessageState.DEAD:
            alert.state = AlertState.DEAD
    return message.state


def list_alerts(session: Session, *, dead_only: bool, limit: int) -> list[tuple[Alert, str, str | None]]:
    """Alerts newest first with their article's title and the kind of message they went out in."""
    query = (select(Alert, Article.title, Message.kind).join(Article, Article.id == Alert.article_id)
             .outerjoin(Message, Message.id == Alert.message_id).order_by(Alert.id.desc()).limit(limit))
    if dead_only:
        query = query.where(Alert.state == AlertState.DEAD)
    return [(alert, title, kind) for alert, title, kind in session.execute(query)]


def list_admin(session: Session, *, dead_only: bool, limit: int) -> list[Message]:
    query = select(Message).where(Message.kind == "admin").order_by(Message.id.desc()).limit(limit)
    if dead_only:
        query = query.where(Message.state == MessageState.DEAD)
    return list(session.scalars(query))


def retry_dead(session: Session, now: datetime, *, alert_id: int | None = None,
               message_id: int | None = None) -> int:
    """Dead alerts (all, or one) are planned afresh; dead admin messages are tried again. Returns how many.

    They are due at once for any clock (``next_attempt_at`` is at most their creation time)."""
    alerts = select(Alert).where(Alert.state == AlertState.DEAD)
    if alert_id is not None:
        alerts = alerts.where(Alert.id == alert_id)
    count = 0
    emptied: set[int] = set()
    if message_id is None:
        for alert in session.scalars(alerts):
            if alert.message_id is not None:
                emptied.add(alert.message_id)
            alert.state, alert.message_id, alert.hold_reason = AlertState.PENDING, None, None
            alert.attempts, alert.next_attempt_at, alert.last_error = 0, min(now, alert.created_at), None
            count += 1
    if alert_id is None:
        admin = select(Message).where(Message.state == MessageState.DEAD, Message.kind == MessageKind.ADMIN)
        if message_id is not None:
            admin = admin.where(Message.id == message_id)
        for message in session.scalars(admin):
            message.state, message.attempts, message.last_error = MessageState.PENDING, 0, None
            message.next_attempt_at = min(now, message.created_at)
            count += 1
    if emptied:
        session.flush()
        still = set(session.scalars(select(Alert.message_id).where(Alert.message_id.in_(emptied))))
        session.execute(delete(Message).where(Message.id.in_(emptied - still), Message.state == MessageState.DEAD))
    return count
