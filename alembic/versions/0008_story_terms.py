"""story state in the database: story_postings, story_vectors, story_df (filled from the story terms of
the last seven days)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

HORIZON_DAYS = 7


def upgrade() -> None:
    op.create_table("story_postings",
                    sa.Column("term", sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("article_id", sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column("seen_us", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("term", "bucket", "article_id"),
                    sqlite_with_rowid=False)
    op.create_table("story_vectors",
                    sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("story_id", sa.BigInteger(), nullable=False),
                    sa.Column("at_us", sa.BigInteger(), nullable=False),
                    sa.Column("seen_us", sa.BigInteger(), nullable=False),
                    sa.Column("terms", sa.LargeBinary(), nullable=False),
                    sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
                    sa.PrimaryKeyConstraint("article_id"))
    op.create_index("ix_story_vectors_story_id", "story_vectors", ["story_id"])
    op.create_index("ix_story_vectors_seen_us", "story_vectors", ["seen_us"])
    op.create_table("story_df",
                    sa.Column("term", sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column("df", sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint("term"),
                    sqlite_with_rowid=False)
    _fill()


def _fill() -> None:
    """The story state of the articles of the last horizon before the newest one, so articles stored
    before the upgrade still gather their follow-ups into their stories."""
    import json

    import numpy as np

    from monitor.dedup.storysnapshot import term_key
    from monitor.store.storyterms import ARTICLES, BUCKET, pack_vector

    bind = op.get_bind()
    features = sa.table("article_features", sa.column("article_id"), sa.column("story_id"), sa.column("terms"),
                        sa.column("at", sa.DateTime()), sa.column("first_seen", sa.DateTime()))
    newest = bind.execute(sa.select(sa.func.max(features.c.first_seen))).scalar()
    if newest is None:
        return
    since = _naive(newest) - timedelta(days=HORIZON_DAYS)
    query = sa.select(features.c.article_id, features.c.story_id, features.c.terms, features.c.at,
                      features.c.first_seen).where(features.c.first_seen >= since, features.c.story_id.is_not(None))
    postings: list[dict[str, Any]] = []
    vectors: list[dict[str, Any]] = []
    df: Counter[int] = Counter()
    for article_id, story_id, raw, at, seen in bind.execute(query):
        stored = json.loads(raw) if isinstance(raw, str) else (raw or {})
        title = set(stored.get("title", ()))
        terms = sorted(title | set(stored.get("text", ())))
        keys = [term_key(term) for term in terms]
        at_us, seen_us = _micros(at), _micros(seen)
        postings.extend({"term": key, "bucket": at_us // BUCKET, "article_id": article_id, "seen_us": seen_us}
                        for key in keys)
        vectors.append({"article_id": article_id, "story_id": story_id, "at_us": at_us, "seen_us": seen_us,
                        "terms": pack_vector(keys, np.array([term in title for term in terms], dtype=bool))})
        df.update(keys)
        df[ARTICLES] += 1
    tables = {"story_vectors": vectors}
    if bind.dialect.name != "sqlite":  # SQLite's processes keep postings and frequencies in memory
        tables.update({"story_postings": postings,
                       "story_df": [{"term": key, "df": value} for key, value in sorted(df.items())]})
    for name, rows in tables.items():
        table = sa.table(name, *(sa.column(column) for column in (rows[0] if rows else {})))
        for start in range(0, len(rows), 10_000):
            bind.execute(sa.insert(table), rows[start:start + 10_000])


def _micros(value: object) -> int:
    return (_naive(value) - datetime(1970, 1, 1)) // timedelta(microseconds=1)


def _naive(value: object) -> datetime:
    if isinstance(value, str):  # SQLite hands the stored text back
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def downgrade() -> None:
    op.drop_table("story_df")
    op.drop_index("ix_story_vectors_seen_us", table_name="story_vectors")
    op.drop_index("ix_story_vectors_story_id", table_name="story_vectors")
    op.drop_table("story_vectors")
    op.drop_table("story_postings")
