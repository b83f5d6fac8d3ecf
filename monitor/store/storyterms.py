"""Story state in the database (``story_postings``, ``story_vectors``, ``story_df``; see
``dedup/storysnapshot.py``): what a feed's story decisions read, the rows a feed's new articles
add, and pruning at the horizon. On SQLite only ``story_vectors`` is written: its processes keep
the postings and frequencies in memory (``dedup/localindex.py``), filled from the vectors.

Reads are a few queries per feed, one per 500 keys or ids. Writes go with the feed's other rows
(``writes.FeedWrites``); the frequencies are counters that every writer adds to, upserted in the
order of their keys, so two writers on one PostgreSQL wait on each other's rows but never in a cycle.
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Table, bindparam, delete, func, select
from sqlalchemy.orm import Session

from monitor.store.bandrows import micros
from monitor.store.batch import chunks
from monitor.store.db import Database
from monitor.store.tables import StoryPosting, StoryTermCount, StoryVector

PRUNE_BATCH = 500  # articles per pruning transaction
BUCKET = 12 * 3600 * 10**6  # postings by story clock in steps of 12 hours (µs)
ARTICLES = 0  # the frequency row that counts the horizon's articles (``term_key`` never gives 0)
_DF: Table = StoryTermCount.__table__  # type: ignore[assignment]
_POSTINGS: Table = StoryPosting.__table__  # type: ignore[assignment]


def pack_vector(keys: Iterable[int], titles: np.ndarray) -> bytes:
    """A stored vector: the term keys as little-endian int64, then one byte per key, 1 for a title term."""
    return np.asarray(list(keys), dtype="<i8").tobytes() + np.asarray(titles, dtype=np.uint8).tobytes()


def unpack_vector(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """The term keys (int64) and title flags (bool) of a stored vector."""
    size = len(data) // 9
    keys = np.frombuffer(data, dtype="<i8", count=size).astype(np.int64)
    return keys, np.frombuffer(data, dtype=np.uint8, offset=8 * size, count=size) == 1


def array_literal(values: Iterable[int]) -> str:
    """Integers as one PostgreSQL array value (``%s::bigint[]``): the driver adapts a list one element
    at a time in Python, at several times the cost of joining the text."""
    return "{" + ",".join(map(str, values)) + "}"


def _shared(session: Session) -> bool:
    return session.connection().dialect.paramstyle != "qmark"


def _rows(session: Session, sql: str, values: Iterable[int], *params: int) -> Iterator[Sequence[Any]]:
    """``sql``'s rows with ``{among}`` standing for a condition that a column is one of ``values`` and
    ``{mark}`` for one more parameter, straight to the driver: these run a few times per feed with
    thousands of keys. PostgreSQL gets all of them as one array (``= ANY``), so the statement's text
    stays short: the driver converts a statement longer than its cache's limit again each time, and
    with hundreds of placeholders that cost more than the query. SQLite takes them ``CHUNK`` at a time."""
    connection = session.connection()
    if _shared(session):
        wanted = sorted(set(values))
        if wanted:
            yield from connection.exec_driver_sql(sql.format(among="= ANY(%s::bigint[])", mark="%s"),
                                                  (array_literal(wanted), *params)).all()
        return
    for part in chunks(values):
        among = f"IN ({', '.join(['?'] * len(part))})"
        yield from connection.exec_driver_sql(sql.format(among=among, mark="?"), (*part, *params)).all()


def frequencies(session: Session, keys: Iterable[int]) -> dict[int, int]:
    """The document frequency of each of these term keys that some article of the horizon holds.

    PostgreSQL packs them into one value (key and frequency as big-endian int64s): a feed looks up
    thousands of keys, and each row cost the driver and SQLAlchemy more than the lookup."""
    if _shared(session):
        found: dict[int, int] = {}
        for (packed,) in _rows(session, "SELECT string_agg(int8send(term) || int8send(df), ''::bytea) FROM story_df "
                               "WHERE term {among}", keys):
            if packed is not None:
                pairs = np.frombuffer(packed, dtype=">i8").reshape(-1, 2)
                found.update(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))
        return found
    return {term: df for term, df in _rows(session, "SELECT term, df FROM story_df WHERE term {among}", keys)}


def postings(session: Session, keys: Iterable[int], first: int, last: int,
             since: datetime) -> dict[int, dict[int, array[int]]]:
    """The articles first seen since ``since`` holding each of these term keys, by bucket from ``first`` to
    ``last``, ids ascending (retention takes older ones out of the frequencies only when it runs).

    PostgreSQL packs each term's and bucket's ids into one value (big-endian int64s, ``int8send``): a
    feed reads tens of thousands of postings, and a row costs the driver and the client far more than
    its bytes."""
    found: dict[int, dict[int, array[int]]] = {}
    if _shared(session):
        swap = sys.byteorder == "little"
        for term, bucket, packed in _rows(
                session, "SELECT term, bucket, string_agg(int8send(article_id), ''::bytea ORDER BY article_id) "
                "FROM story_postings WHERE term {among} AND bucket BETWEEN {mark} AND {mark} AND seen_us >= {mark} "
                "GROUP BY term, bucket", keys, first, last, micros(since)):
            ids = array("q")
            ids.frombytes(packed)
            if swap:
                ids.byteswap()
            found.setdefault(term, {})[bucket] = ids
        return found
    for term, bucket, article_id in _rows(
            session, "SELECT term, bucket, article_id FROM story_postings WHERE term {among} "
            "AND bucket BETWEEN {mark} AND {mark} AND seen_us >= {mark} ORDER BY term, bucket, article_id",
            keys, first, last, micros(since)):
        held = found.setdefault(term, {})
        if (posted := held.get(bucket)) is None:
            held[bucket] = array("q", (article_id,))
        else:
            posted.append(article_id)
    return found


def story_vectors(session: Session, article_ids: Iterable[int]) -> tuple[dict[int, tuple[int, int, bytes]],
                                                                           dict[int, list[int]]]:
    """The vectors of every article of the stories these articles belong to ((story, story clock, vector)
    by id), and each of those stories' articles, ids ascending."""
    vectors: dict[int, tuple[int, int, bytes]] = {}
    members: dict[int, list[int]] = {}
    if _shared(session):  # one statement: the stories, then their articles
        rows = _rows(session, "SELECT article_id, story_id, at_us, terms FROM story_vectors WHERE story_id IN "
                     "(SELECT story_id FROM story_vectors WHERE article_id {among}) ORDER BY article_id", article_ids)
    else:
        stories: set[int] = set()
        for part in chunks(article_ids):
            stories.update(session.scalars(select(StoryVector.story_id).where(StoryVector.article_id.in_(part))))
        rows = (row for part in chunks(stories) for row in session.execute(
            select(StoryVector.article_id, StoryVector.story_id, StoryVector.at_us, StoryVector.terms)
            .where(StoryVector.story_id.in_(part)).order_by(StoryVector.article_id)))
    for article_id, story_id, at, data in rows:
        vectors[article_id] = (story_id, at, data)
        members.setdefault(story_id, []).append(article_id)
    return vectors, members


def kept_in_process(session: Session) -> bool:
    """Whether the process keeps the story state in memory (SQLite: one process owns the file, and
    reading postings per feed costs more than holding them) rather than reading it per feed."""
    return session.get_bind().dialect.name == "sqlite"


def vectors_since(session: Session, since: datetime) -> int:
    """How many articles first seen at ``since`` or later the story state holds."""
    return session.scalar(select(func.count()).select_from(StoryVector)
                          .where(StoryVector.seen_us >= micros(since))) or 0


def vector_ids_since(session: Session, since: datetime) -> set[int]:
    return set(session.scalars(select(StoryVector.article_id).where(StoryVector.seen_us >= micros(since))))


def vector_rows(session: Session, article_ids: Iterable[int]) -> Iterator[tuple[int, int, int, int, bytes]]:
    """(article, story, story clock, first seen, vector) of these articles, in the order of their ids."""
    for part in chunks(article_ids):
        query = (select(StoryVector.article_id, StoryVector.story_id, StoryVector.at_us, StoryVector.seen_us,
                        StoryVector.terms).where(StoryVector.article_id.in_(part)).order_by(StoryVector.article_id))
        yield from ((article_id, story_id, at, seen, data)
                    for article_id, story_id, at, seen, data in session.execute(query))


def count(session: Session, changes: Counter[int]) -> None:
    """Add to the frequencies (negative to take away), in the order of the keys; rows that reach 0 go.

    On PostgreSQL one statement takes the keys and changes as two arrays, whose order ``unnest`` keeps
    (the order that keeps two writers out of a cycle); elsewhere an ``executemany``."""
    rows = [(key, change) for key, change in sorted(changes.items()) if change]
    if not rows:
        return
    connection = session.connection()
    upsert = " ON CONFLICT (term) DO UPDATE SET df = story_df.df + excluded.df"  # the same on both
    gone = [key for key, change in rows if change < 0]
    if not _shared(session):
        connection.exec_driver_sql(f"INSERT INTO story_df (term, df) VALUES (?, ?){upsert}", rows)
        for part in chunks(gone):
            connection.execute(delete(_DF).where(_DF.c.term.in_(part), _DF.c.df <= 0))
        return
    connection.exec_driver_sql(f"INSERT INTO story_df (term, df) SELECT * FROM unnest(%s::bigint[], %s::bigint[])"
                               f"{upsert}", (array_literal(key for key, _ in rows),
                                             array_literal(change for _, change in rows)))
    if gone:
        connection.exec_driver_sql("DELETE FROM story_df WHERE term = ANY(%s::bigint[]) AND df <= 0",
                                   (array_literal(gone),))


def prune(db: Database, before: datetime, batch: int = PRUNE_BATCH) -> int:
    """Take the articles first seen before ``before`` out of the story state, ``batch`` at a time, each batch
    its own transaction: their postings and vectors go and the frequencies fall; how many articles."""
    total = 0
    while True:
        with db.session() as session:
            if kept_in_process(session):  # SQLite keeps vectors only: its processes hold the rest
                found = select(StoryVector.article_id).where(StoryVector.seen_us < micros(before)).limit(batch)
                ids = list(session.scalars(found))
                session.execute(delete(StoryVector).where(StoryVector.article_id.in_(ids)))
                total += len(ids)
                if len(ids) < batch:
                    return total
                continue
            rows = list(session.execute(select(StoryVector.article_id, StoryVector.at_us, StoryVector.terms)
                                        .where(StoryVector.seen_us < micros(before))
                                        .order_by(StoryVector.article_id).limit(batch)))
            if rows:
                changes: Counter[int] = Counter({ARTICLES: -len(rows)})
                gone: list[dict[str, int]] = []
                for article_id, at, data in rows:
                    keys = unpack_vector(data)[0].tolist()
                    changes.update(dict.fromkeys(keys, -1))
                    gone.extend({"t": key, "b": at // BUCKET, "a": article_id} for key in keys)
                connection = session.connection()
                if gone:
                    connection.execute(delete(_POSTINGS).where(
                        _POSTINGS.c.term == bindparam("t"), _POSTINGS.c.bucket == bindparam("b"),
                        _POSTINGS.c.article_id == bindparam("a")), sorted(gone, key=lambda r: (r["t"], r["b"], r["a"])))
                session.execute(delete(StoryVector).where(StoryVector.article_id.in_([r[0] for r in rows])))
                count(session, changes)
        total += len(rows)
        if len(rows) < batch:
            return total


def horizon_count(session: Session) -> int:
    """How many articles the story state holds (``story_df``'s article count)."""
    return session.scalar(select(func.coalesce(func.sum(StoryTermCount.df), 0))
                          .where(StoryTermCount.term == 0)) or 0

