"""near-duplicate band keys in the database: article_bands (filled from the stored signatures of the
last seven days)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from alembic import op

revision = "0009"
down_revision = "0008"  # ids are the ones deployed databases carry; the file names give the order
branch_labels = None
depends_on = None

HORIZON_DAYS = 7


def upgrade() -> None:
    op.create_table("article_bands",
                    sa.Column("band", sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column("article_id", sa.Integer(), autoincrement=False, nullable=False),
                    sa.Column("seen_us", sa.BigInteger(), nullable=False),
                    sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
                    sa.PrimaryKeyConstraint("band", "article_id"),
                    sqlite_with_rowid=False)
    op.create_index("ix_article_bands_seen_us", "article_bands", ["seen_us"])
    _fill()


def _fill() -> None:
    """Band keys of the articles of the last horizon before the newest one, so near-duplicates of
    articles stored before the upgrade are still found."""
    from monitor.dedup.nearindex import band_keys
    from monitor.dedup.storyindex import unpack

    bind = op.get_bind()
    features = sa.table("article_features", sa.column("article_id"), sa.column("signature"),
                        sa.column("first_seen", sa.DateTime()))
    bands = sa.table("article_bands", sa.column("band"), sa.column("article_id"), sa.column("seen_us"))
    epoch = datetime(1970, 1, 1)  # stored times are UTC without a zone
    newest = bind.execute(sa.select(sa.func.max(features.c.first_seen))).scalar()
    if newest is None:
        return
    since = newest - timedelta(days=HORIZON_DAYS)
    query = sa.select(features.c.article_id, features.c.signature, features.c.first_seen).where(
        features.c.first_seen >= since, features.c.signature.is_not(None))
    rows = [{"band": key, "article_id": article_id, "seen_us": (_naive(seen) - epoch) // timedelta(microseconds=1)}
            for article_id, signature, seen in bind.execute(query) for key in set(band_keys(unpack(signature)))]
    for start in range(0, len(rows), 10_000):
        bind.execute(sa.insert(bands), rows[start:start + 10_000])


def _naive(value: object) -> datetime:
    if isinstance(value, str):  # SQLite hands the stored text back
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def downgrade() -> None:
    op.drop_index("ix_article_bands_seen_us", table_name="article_bands")
    op.drop_table("article_bands")
