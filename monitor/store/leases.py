"""Sharing one database between several daemons: feed leases and deployment-wide locks.

A daemon claims a batch of due feeds in one short transaction (``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL, so concurrent claimers never wait for each other and never get the same row) and
writes its name and an expiry on them. It polls them and releases the batch. Leases are short
(``lease``, seconds) and a living daemon's heartbeat (``renew_held``) extends all of its leases,
feeds and messages, well before they run out; a daemon that dies keeps them only until the expiry,
then another claims those feeds and messages. On SQLite the same code
runs in one process (``BEGIN IMMEDIATE`` makes the claim exclusive anyway).

Advisory locks (PostgreSQL) make deployment-wide steps exclusive: migrations, syncing the feed
table at start, and whatever must run once per deployment (``once_per_deployment``).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import or_, select, text, update
from sqlalchemy.orm import Session

from monitor.store.db import Database
from monitor.store.locks import LOCK_KEY, unlock
from monitor.store.repo import FeedState, _state
from monitor.store.tables import Feed, Message

log = logging.getLogger(__name__)



def claim_due_feeds(session: Session, names: Sequence[str], now: datetime, owner: str, lease: timedelta,
                    limit: int) -> list[FeedState]:
    """Lease up to ``limit`` due feeds of ``names`` whose lease is free or expired, oldest due first."""
    query = (
        select(Feed)
        .where(Feed.name.in_(names), Feed.disabled.is_(False),
               or_(Feed.next_poll.is_(None), Feed.next_poll <= now),
               or_(Feed.lease_until.is_(None), Feed.lease_until < now))
        .order_by(Feed.next_poll.asc().nulls_first(), Feed.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        if row.lease_owner is not None and row.lease_owner != owner:
            log.info("taking over an expired lease of %s", row.lease_owner, extra={"feed": row.name})
        row.lease_owner, row.lease_until = owner, now + lease
    return [_state(row) for row in rows]


def release_feeds(session: Session, feed_ids: Sequence[int], owner: str) -> int:
    """Give back the leases this owner still holds on ``feed_ids``; returns how many."""
    if not feed_ids:
        return 0
    result = session.execute(update(Feed).where(Feed.id.in_(feed_ids), Feed.lease_owner == owner)
                             .values(lease_owner=None, lease_until=None))
    return int(getattr(result, "rowcount", 0) or 0)


def renew_feeds(session: Session, feed_ids: Sequence[int], owner: str, until: datetime) -> int:
    """Extend the leases this owner still holds (a long batch that keeps making progress)."""
    if not feed_ids:
        return 0
    result = session.execute(update(Feed).where(Feed.id.in_(feed_ids), Feed.lease_owner == owner)
                             .values(lease_until=until))
    return int(getattr(result, "rowcount", 0) or 0)


def renew_held(session: Session, owner: str, until: datetime) -> int:
    """The heartbeat: extend every lease ``owner`` holds, on feeds and on messages being sent.

    A feed row locked by the owner's own store transaction is skipped (renewed at the next beat;
    a claimer skips it too while it is locked). Returns how many leases were extended.
    """
    feed_ids = list(session.scalars(select(Feed.id).where(Feed.lease_owner == owner)
                                    .with_for_update(skip_locked=True)))
    renewed = renew_feeds(session, feed_ids, owner, until)
    message_ids = list(session.scalars(select(Message.id).where(Message.state == "pending",
                                                                Message.lease_owner == owner)
                                       .with_for_update(skip_locked=True)))
    if message_ids:
        result = session.execute(update(Message).where(Message.id.in_(message_ids), Message.lease_owner == owner)
                                 .values(lease_until=until))
        renewed += int(getattr(result, "rowcount", 0) or 0)
    return renewed


def orphaned_messages(session: Session, now: datetime) -> bool:
    """Whether a due message is leased by an owner whose lease ran out (it died): the delivery job
    should run now rather than at its next interval."""
    query = (select(Message.id).where(Message.state == "pending", Message.next_attempt_at <= now,
                                      Message.lease_owner.is_not(None), Message.lease_until < now).limit(1))
    return session.scalar(query) is not None


def serialize(session: Session, name: str) -> None:
    """Wait for and take a deployment-wide lock held until the session's transaction ends.

    For steps every daemon runs at start and that must not interleave (creating the feed rows).
    A no-op on SQLite, where ``BEGIN IMMEDIATE`` already serializes writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({LOCK_KEY})"), {"name": name})


@contextmanager
def once_per_deployment(db: Database, name: str) -> Iterator[bool]:
    """True for exactly one holder at a time across every daemon sharing the database.

    ::

        with once_per_deployment(db, "retention") as mine:
            if mine:
                remove_old_bodies()

    On PostgreSQL a session-level ``pg_try_advisory_lock`` on a dedicated connection, held for the
    block and released after it (or by the server, should the process die). It never waits: a
    daemon that does not get it skips the run. This is mutual exclusion, not memory: a job that
    two daemons may start one after the other must consume its input (mark rows done in its own
    transaction), so the second run finds nothing left to do. On SQLite (one process) always True.
    """
    if db.dialect != "postgresql":
        yield True
        return
    with db.engine.connect() as conn:
        mine = bool(conn.scalar(text(f"SELECT pg_try_advisory_lock({LOCK_KEY})"), {"name": name}))
        conn.commit()
        try:
            yield mine
        finally:
            if mine:
                unlock(conn, name)


def owner_id() -> str:
    """The name this process writes on the leases it holds: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"
