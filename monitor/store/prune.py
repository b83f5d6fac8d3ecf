"""Retention of what grows with time besides article bodies: dedup features, stories, messages.

What each table keeps, and for how long (``retention.*``):

* ``article_keys``: forever. An article's identity (canonical URL, GUID, fingerprint) is what makes
  an old item that shows up again a known one, never a second alert.
* ``articles``: the row forever (title, link, GUID, times: identity and the alert history point at
  it); the body until ``retention.bodies``.
* ``article_revisions``: the row forever; title, summary and body of a revision until ``retention.bodies``.
* ``article_features``: content hash and story forever; the MinHash signature and the story terms
  (most of the row) until ``retention.features`` (near-duplicates are sought within 7 days, stories
  within 36 hours, so older ones are never read again).
* ``article_bands``: the near-duplicate band keys until the dedup horizon (7 days) has passed.
* ``story_postings``, ``story_vectors``: the story terms until the horizon has passed, and with
  them their share of the term frequencies in ``story_df`` (a term in no article loses its row).
* ``stories`` and ``story_outlets``: until the story was last seen ``retention.stories`` ago; the
  articles then keep no story.
* ``messages``: sent ones until ``retention.messages`` after sending (rate limits look back a day at
  most); dead and pending ones stay. Their alerts keep state, attempts, last error and sent time.
* ``alerts``, ``article_sources``, ``feeds``, ``feed_health``, ``maintenance``: forever (the alert
  history; a few dozen bytes per source; one row per feed or task).

Each step works in batches of ``BATCH`` rows, each its own short transaction, so polls keep
getting the write lock in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, select, update
from sqlalchemy.orm import Session

from monitor.model import MessageState
from monitor.store.db import Database
from monitor.store.tables import Alert, ArticleFeatures, ArticleRevision, Message, Story, StoryOutlet

BATCH = 500


@dataclass(frozen=True, slots=True)
class Pruned:
    features: int = 0
    revisions: int = 0
    stories: int = 0
    messages: int = 0
    bands: int = 0  # articles whose band keys left with the dedup horizon
    story_terms: int = 0  # articles whose story postings and vectors left with it

    def describe(self) -> str:
        return (f"{self.features} feature rows slimmed, {self.revisions} revision texts, "
                f"{self.stories} stories, {self.messages} sent messages removed, "
                f"band keys of {self.bands} articles pruned, story terms of {self.story_terms}")


def slim_features(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Drop the signature and terms of articles first seen before ``before``."""
    found = select(ArticleFeatures.article_id).where(ArticleFeatures.first_seen < before,
                                                     ArticleFeatures.signature.is_not(None))

    def slim(session: Session, ids: list[int]) -> None:
        session.execute(update(ArticleFeatures).where(ArticleFeatures.article_id.in_(ids))
                        .values(signature=None, terms={}))
    return _in_batches(db, found, slim, batch)


def drop_revision_texts(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Clear the texts of revisions seen before ``before`` (the row stays: it counts the versions)."""
    found = select(ArticleRevision.id).where(ArticleRevision.seen_at < before, ArticleRevision.body.is_not(None)
                                             | (ArticleRevision.summary != ""))

    def clear(session: Session, ids: list[int]) -> None:
        session.execute(update(ArticleRevision).where(ArticleRevision.id.in_(ids)).values(body=None, summary=""))
    return _in_batches(db, found, clear, batch)


def drop_stories(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Delete stories last seen before ``before`` with their outlets; articles keep no story."""
    def drop(session: Session, ids: list[int]) -> None:
        session.execute(update(ArticleFeatures).where(ArticleFeatures.story_id.in_(ids)).values(story_id=None))
        session.execute(delete(StoryOutlet).where(StoryOutlet.story_id.in_(ids)))
        session.execute(delete(Story).where(Story.id.in_(ids)))
    return _in_batches(db, select(Story.id).where(Story.last_seen < before), drop, batch)


def drop_sent_messages(db: Database, before: datetime, batch: int = BATCH) -> int:
    """Delete messages sent before ``before``; their alerts keep their own record of the send."""
    def drop(session: Session, ids: list[int]) -> None:
        session.execute(update(Alert).where(Alert.message_id.in_(ids)).values(message_id=None))
        session.execute(delete(Message).where(Message.id.in_(ids)))
    found = select(Message.id).where(Message.state == MessageState.SENT, Message.sent_at < before)
    return _in_batches(db, found, drop, batch)


def _in_batches(db: Database, found: Select[int], apply: Callable[[Session, list[int]], None],
                batch: int) -> int:
    """``apply`` to the ids ``found`` selects, ``batch`` at a time, each batch its own transaction."""
    total = 0
    while True:
        with db.session() as session:
            ids = list(session.scalars(found.limit(batch)))
            if ids:
                apply(session, ids)
        total += len(ids)
        if len(ids) < batch:
            return total
