"""The rows of one feed's decisions, written together (``dedupwrites.carry_out``).

Articles and stories carry the ids reserved for them when they were decided (``store/ids.py``: the
in-memory index and the next entries of the same feed refer to them), and every row (articles,
identity keys, sources, stories, features, story outlets and counters) is collected and written
with one ``executemany`` per table by ``flush``. The caller runs all of it inside one savepoint:
the unique keys of ``article_keys`` still decide, and if a concurrent writer stored one of the
articles first, the whole feed is rolled back and decided again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, case, insert, select, tuple_, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from monitor.model import Entry
from monitor.store.bandrows import micros
from monitor.store.batch import chunks
from monitor.store.decisions import FeatureValues
from monitor.store.storyterms import ARTICLES, BUCKET, array_literal, count, kept_in_process
from monitor.store.tables import (
    Article,
    ArticleBand,
    ArticleFeatures,
    ArticleKey,
    ArticleSource,
    Base,
    Story,
    StoryOutlet,
    StoryPosting,
    StoryVector,
    UTCDateTime,
)

_STORIES: Table = Story.__table__  # type: ignore[assignment]


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, object]]) -> None:
    """Rows of one table, all with the same keys, in one ``executemany`` straight to the driver.

    The statement is compiled once per table, dialect and set of keys; each value goes through its
    column type's bind processor (UTC datetimes, JSON, binary) and omitted columns get their scalar
    defaults, as Core's ``execute(insert(table), rows)`` would do, at a third of its cost per row. A table
    with a computed default falls back to Core."""
    if not rows:
        return
    table: Table = model.__table__  # type: ignore[assignment]
    connection = session.connection()
    plan = _plan(table, connection.dialect, tuple(rows[0]))
    if plan is None:
        connection.execute(insert(table), rows)
        return
    sql, columns, defaults, positional = plan
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    values = ([row[name] if convert is None else convert(row[name]) for name, convert in columns] for row in rows)
    if positional:
        connection.exec_driver_sql(sql, [tuple(row) for row in values])
    else:
        names = [name for name, _convert in columns]
        connection.exec_driver_sql(sql, [dict(zip(names, row, strict=True)) for row in values])


def insert_integers(session: Session, model: type[Base], names: tuple[str, ...],
                    rows: Sequence[tuple[int, ...]]) -> None:
    """Rows of integer columns (``names``, in the order of each row's values), in one statement.

    PostgreSQL gets one array per column (``unnest``), in the rows' order: the driver's ``executemany``
    costs a round of Python per row, and a feed writes thousands of band keys and postings. Elsewhere
    an ``executemany``."""
    if not rows:
        return
    table: Table = model.__table__  # type: ignore[assignment]
    connection = session.connection()
    dialect = connection.dialect
    if dialect.paramstyle == "qmark":
        connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) "
                                   f"VALUES ({', '.join(['?'] * len(names))})", rows)
        return
    arrays = ", ".join(f"%s::{table.c[name].type.compile(dialect)}[]" for name in names)
    connection.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})",
                               tuple(array_literal(column) for column in zip(*rows, strict=True)))


@lru_cache(maxsize=64)
def _plan(table: Table, dialect: Dialect, keys: tuple[str, ...]) -> tuple[
        str, tuple[tuple[str, Any], ...], dict[str, object], bool] | None:
    """(SQL, (column, bind processor) in parameter order, scalar defaults, positional?) or None."""
    defaults: dict[str, object] = {}
    for column in table.columns:
        if column.key in keys or column.default is None:
            continue
        if not isinstance(column.default, ScalarElementColumnDefault):
            return None
        defaults[column.key] = column.default.arg
    names = [*keys, *defaults]
    statement = insert(table).values({name: bindparam(name, type_=table.c[name].type) for name in names})
    compiled = statement.compile(dialect=dialect)
    order = list(compiled.positiontup or ()) if compiled.positional else names
    if sorted(order) != sorted(names):
        return None
    columns = tuple((name, table.c[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in order)
    return compiled.string, columns, defaults, bool(compiled.positional)


@dataclass(slots=True)
class _Counts:
    articles: int = 0
    outlets: set[str] = field(default_factory=set)


@dataclass(slots=True)
class FeedWrites:
    """Rows collected for one feed's decisions."""

    feed_id: int
    now: datetime
    articles: list[dict[str, object]] = field(default_factory=list)
    stories: list[dict[str, object]] = field(default_factory=list)
    keys: list[dict[str, object]] = field(default_factory=list)
    sources: list[dict[str, object]] = field(default_factory=list)
    features: list[dict[str, object]] = field(default_factory=list)
    bands: list[tuple[int, int, int]] = field(default_factory=list)  # (band, article, first seen)
    postings: list[tuple[int, int, int, int]] = field(default_factory=list)  # (term, bucket, article, first seen)
    vectors: list[dict[str, object]] = field(default_factory=list)
    frequencies: Counter[int] = field(default_factory=Counter)  # what the new articles add to ``story_df``
    grown: dict[int, _Counts] = field(default_factory=dict)  # stories that existed before this batch
    started: dict[int, set[str]] = field(default_factory=dict)  # stories this batch started: their outlets

    def article(self, article_id: int, entry: Entry, keys: tuple[str, ...], outlet: str) -> None:
        """A new article with its keys and this feed as its source."""
        self.articles.append({
             "id": article_id, "feed_id": self.feed_id, "title": entry.title, "link": entry.link, "guid": entry.guid,
             "summary": entry.summary, "body": entry.body or None, "author": entry.author,
             "published": entry.published, "first_seen": self.now})
        self.keys.extend({"key": key, "article_id": article_id} for key in keys)
        self.sources.append({"article_id": article_id, "feed_id": self.feed_id, "seen_at": self.now,
                             "outlet": outlet, "link": entry.link})

    def story(self, story_id: int, starts: bool, article_id: int, title: str, outlet: str) -> None:
        """The story the article joins, or (``starts``) the new one it starts; counted with ``flush``."""
        if not starts:
            counts = self.grown.setdefault(story_id, _Counts())
            counts.articles += 1
            self.started.get(story_id, counts.outlets).add(outlet)
            return
        self.stories.append({"id": story_id, "first_article_id": article_id, "title": title, "first_seen": self.now,
                             "last_seen": self.now})  # its counts are known at ``flush``
        self.started[story_id] = {outlet}

    def link(self, article_id: int, keys: list[str], entry: Entry, outlet: str, story_id: int | None,
             source: bool) -> None:
        """A known article gains keys and, with ``source``, this feed as a source (its outlet counted)."""
        self.keys.extend({"key": key, "article_id": article_id} for key in keys)
        if source:
            self.sources.append({"article_id": article_id, "feed_id": self.feed_id, "seen_at": self.now,
                                 "outlet": outlet, "link": entry.link})
            if story_id is not None:
                self.started.get(story_id, self.grown.setdefault(story_id, _Counts()).outlets).add(outlet)

    def feature(self, article_id: int, story_id: int, features: FeatureValues) -> None:
        """The ``article_features`` row of a new article, its band keys and its story state (``storyterms``)."""
        self.features.append({
            "article_id": article_id, "story_id": story_id, "content_hash": features.content_hash,
            "signature": features.signature, "terms": {"title": list(features.title_terms),
                                                       "text": list(features.text_terms)},
            "at": features.at, "first_seen": features.seen, "revision": 1})
        seen = micros(features.seen)
        self.bands.extend((band, article_id, seen) for band in dict.fromkeys(features.bands))
        at = micros(features.at)
        self.postings.extend((key, at // BUCKET, article_id, seen) for key in features.story_terms)
        self.vectors.append({"article_id": article_id, "story_id": story_id, "at_us": at, "seen_us": seen,
                             "terms": features.vector})
        self.frequencies.update(features.story_terms)
        self.frequencies[ARTICLES] += 1

    def flush(self, session: Session) -> set[tuple[int, str]]:
        """Write what was collected: one statement per table (the keys' unique constraint decides). Returns the
        (story, outlet) pairs counted for the first time."""
        for row in self.stories:  # stories this batch started are written with their final counts
            story_id = row["id"]
            assert isinstance(story_id, int)
            row["outlet_count"] = len(self.started[story_id])
            row["article_count"] = 1 + self.grown.get(story_id, _Counts()).articles
        tables = ((Article, self.articles), (Story, self.stories), (ArticleKey, self.keys),
                  (ArticleSource, self.sources), (ArticleFeatures, self.features), (StoryVector, self.vectors))
        for table, rows in tables:
            insert_rows(session, table, rows)
        insert_integers(session, ArticleBand, ("band", "article_id", "seen_us"), self.bands)
        shared = not kept_in_process(session)  # only the per-feed snapshots read postings and frequencies
        if shared:  # in the order of their key: inserted into the table's B-tree in one pass
            insert_integers(session, StoryPosting, ("term", "bucket", "article_id", "seen_us"), sorted(self.postings))
        counted = self._story_counts(session)
        if shared:
            count(session, self.frequencies)  # last: the rows every writer adds to stay locked the shortest
        return counted

    def _story_counts(self, session: Session) -> set[tuple[int, str]]:
        outlets = {story_id: set(counts.outlets) for story_id, counts in self.grown.items()
                   if story_id not in self.started}
        pairs = [(story_id, outlet) for story_id, names in outlets.items() for outlet in names]
        for part in chunks(pairs):
            query = select(StoryOutlet.story_id, StoryOutlet.outlet).where(
                tuple_(StoryOutlet.story_id, StoryOutlet.outlet).in_(part))
            for story_id, outlet in session.execute(query):
                outlets[story_id].discard(outlet)
        for story_id, names in self.started.items():
            outlets[story_id] = names
        rows = [{"story_id": story_id, "outlet": outlet, "first_seen": self.now}
                for story_id, names in outlets.items() for outlet in sorted(names)]
        insert_rows(session, StoryOutlet, rows)
        changes = [{"sid": story_id, "more": self.grown.get(story_id, _Counts()).articles, "outlets": len(names)}
                   for story_id, names in outlets.items() if story_id not in self.started]
        changes = [change for change in changes if change["more"] or change["outlets"]]
        if changes:
            now = bindparam("now", type_=UTCDateTime())
            column = _STORIES.c
            session.connection().execute(  # Core executemany: the ORM's bulk UPDATE wants primary keys only
                update(_STORIES).where(column.id == bindparam("sid")).values(
                    article_count=column.article_count + bindparam("more"),
                    outlet_count=column.outlet_count + bindparam("outlets"),
                    last_seen=case((column.last_seen < now, now), else_=column.last_seen)),
                [{**change, "now": self.now} for change in changes])
        return {(story_id, outlet) for story_id, names in outlets.items() for outlet in names}
