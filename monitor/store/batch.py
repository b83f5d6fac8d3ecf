"""Key lookups for a whole feed at once: which identity keys are stored already, and which known
articles a feed is already a source of (one query per 500 keys instead of one per entry; the dedup
stage and the full-text pre-check use them)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.tables import ArticleKey, ArticleSource

CHUNK = 500  # bound parameters per IN (...) query
T = TypeVar("T", bound=Any)


def chunks(values: Iterable[T]) -> Iterator[list[T]]:
    """The distinct values in order, ``CHUNK`` at a time: one ``IN (...)`` query each."""
    wanted = sorted(set(values))
    for start in range(0, len(wanted), CHUNK):
        yield wanted[start:start + CHUNK]


def known_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Article id of each of ``keys`` already stored (one query per 500 keys)."""
    found: dict[str, int] = {}
    for part in chunks(keys):
        query = select(ArticleKey.key, ArticleKey.article_id).where(ArticleKey.key.in_(part))
        found.update((key, article) for key, article in session.execute(query))
    return found


def sourced_by(session: Session, feed_id: int, article_ids: Iterable[int]) -> set[int]:
    """Those of ``article_ids`` that the feed is already recorded as a source of."""
    seen: set[int] = set()
    for part in chunks(article_ids):
        seen.update(session.scalars(select(ArticleSource.article_id).where(
            ArticleSource.feed_id == feed_id, ArticleSource.article_id.in_(part))))
    return seen
