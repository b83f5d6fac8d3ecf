"""Near-duplicate band keys in the database (``article_bands``, see ``dedup/nearindex.py``): the
articles of the horizon sharing a key with a feed's entries, their signatures, and pruning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor.store.batch import chunks
from monitor.store.db import Database
from monitor.store.tables import ArticleBand, ArticleFeatures

PRUNE_BATCH = 500  # articles per delete
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    """``seen_us``: whole microseconds since 1970 (an integer: a third of a timestamp's size in SQLite)."""
    return ((at if at.tzinfo is not None else at.replace(tzinfo=UTC)) - _EPOCH) // timedelta(microseconds=1)


def sharing(session: Session, keys: Iterable[int], since: datetime) -> dict[int, list[int]]:
    """The articles first seen since ``since`` holding each of these band keys (one query per 500 keys)."""
    found: dict[int, list[int]] = {}
    for part in chunks(keys):
        query = select(ArticleBand.band, ArticleBand.article_id).where(ArticleBand.band.in_(part),
                                                                      ArticleBand.seen_us >= micros(since))
        for band, article_id in session.execute(query):
            found.setdefault(band, []).append(article_id)
    return found


def signatures(session: Session, article_ids: Iterable[int]) -> dict[int, bytes]:
    """The stored MinHash signatures of these articles."""
    found: dict[int, bytes] = {}
    for part in chunks(article_ids):
        query = select(ArticleFeatures.article_id, ArticleFeatures.signature).where(
            ArticleFeatures.article_id.in_(part), ArticleFeatures.signature.is_not(None))
        found.update((article_id, signature) for article_id, signature in session.execute(query) if signature)
    return found


def prune_bands(db: Database, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Delete the band keys of articles first seen before ``before``, ``batch`` articles at a time, each
    batch committed (polls get the write lock in between); how many articles' keys went."""
    total = 0
    while True:
        with db.session() as session:
            old = ArticleBand.seen_us < micros(before)
            ids = list(session.scalars(select(ArticleBand.article_id).where(old).distinct().limit(batch)))
            if ids:
                session.execute(delete(ArticleBand).where(old, ArticleBand.article_id.in_(ids)))
        total += len(ids)
        if len(ids) < batch:
            return total
