"""held_back: matching articles a watchlist did not alert, and why (for ``why`` and ``watchlists``)

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0008"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "held_back",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("watchlist", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_held_back_article_id", "held_back", ["article_id"])
    op.create_index("ix_held_back_watchlist_at", "held_back", ["watchlist", "at"])


def downgrade() -> None:
    op.drop_index("ix_held_back_watchlist_at", table_name="held_back")
    op.drop_index("ix_held_back_article_id", table_name="held_back")
    op.drop_table("held_back")
