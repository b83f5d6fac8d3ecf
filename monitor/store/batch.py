"""``store_new`` for a whole feed in a few statements instead of a few per entry.

One query finds which identity keys are known, the plan (new article, or one more source of a
known one) is made in Python in feed order, then articles, keys and sources are inserted with
one multi-row statement each, inside one savepoint. The database's unique keys still decide: if a
concurrent writer stored one of the articles in between, the savepoint is rolled back and the
caller falls back to the entry-by-entry path. Same rows, same result, a fraction of the
round-trips (this was the largest cost of an ingest, see bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.store.tables import Article, ArticleKey, ArticleSource

CHUNK = 500  # bound parameters per IN (...) query


@dataclass(slots=True)
class _Plan:
    new: list[int] = field(default_factory=list)  # indexes of candidates stored as new articles
    keys: list[tuple[str, int | None, int]] = field(default_factory=list)  # (key, article id | None, new index)
    links: list[int] = field(default_factory=list)  # known article ids that gain this feed as a source


def known_keys(session: Session, keys: Iterable[str]) -> dict[str, int]:
    """Article id of each of ``keys`` already stored (one query per 500 keys)."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), CHUNK):
        part = wanted[start:start + CHUNK]
        query = select(ArticleKey.key, ArticleKey.article_id).where(ArticleKey.key.in_(part))
        found.update((key, article) for key, article in session.execute(query))
    return found


def sourced_by(session: Session, feed_id: int, article_ids: Iterable[int]) -> set[int]:
    """Those of ``article_ids`` that the feed is already recorded as a source of."""
    wanted = sorted(set(article_ids))
    seen: set[int] = set()
    for start in range(0, len(wanted), CHUNK):
        seen.update(session.scalars(select(ArticleSource.article_id).where(
            ArticleSource.feed_id == feed_id, ArticleSource.article_id.in_(wanted[start:start + CHUNK]))))
    return seen


def _plan(candidates: Sequence[tuple[Sequence[str], object]], known: dict[str, int]) -> _Plan:
    plan = _Plan()
    owner: dict[str, tuple[int | None, int]] = {key: (article, -1) for key, article in known.items()}
    linked: set[tuple[int | None, int]] = set()
    for index, (keys, _entry) in enumerate(candidates):
        if not keys:
            continue
        hits = sorted(key for key in keys if key in owner)
        if not hits:
            slot: tuple[int | None, int] = (None, len(plan.new))
            plan.new.append(index)
            linked.add(slot)
        else:
            slot = owner[hits[0]]
            if slot not in linked:
                linked.add(slot)
                if slot[0] is not None:
                    plan.links.append(slot[0])
        for key in keys:
            if key not in owner:
                owner[key] = slot
                plan.keys.append((key, slot[0], slot[1]))
    return plan


def store_batch(session: Session, feed_id: int, candidates: Sequence[tuple[Sequence[str], object]],
                rows: list[dict[str, object]], now: datetime) -> list[tuple[int, int]] | None:
    """Store a feed's candidates as one batch: (candidate index, new article id) for the new ones,
    or None when a concurrent writer got in between (nothing of the batch is kept then).

    ``rows`` holds the ``articles`` column values of each candidate, in the same order."""
    known = known_keys(session, (key for keys, _ in candidates for key in keys))
    plan = _plan(candidates, known)
    if plan.links:
        seen = sourced_by(session, feed_id, plan.links)
        plan.links = [article for article in plan.links if article not in seen]
    try:
        with session.begin_nested():
            ids: list[int] = []
            if plan.new:
                result = session.execute(insert(Article).returning(Article.id, sort_by_parameter_order=True),
                                         [rows[index] for index in plan.new])
                ids = [row[0] for row in result]
            keys = [{"key": key, "article_id": article if article is not None else ids[slot]}
                    for key, article, slot in plan.keys]
            if keys:
                session.execute(insert(ArticleKey), keys)
            sources = [{"article_id": article, "feed_id": feed_id, "seen_at": now} for article in [*ids, *plan.links]]
            if sources:
                session.execute(insert(ArticleSource), sources)
    except IntegrityError:
        return None
    return list(zip(plan.new, ids, strict=True))
