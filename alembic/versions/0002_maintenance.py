"""maintenance: when retention and VACUUM last ran; index for search/backtest by time

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0007"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "maintenance",
        sa.Column("task", sa.String(length=50), nullable=False),
        sa.Column("last_run", sa.DateTime(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("task"),
    )
    op.create_index("ix_articles_when", "articles", [sa.text("coalesce(published, first_seen)")])


def downgrade() -> None:
    op.drop_index("ix_articles_when", table_name="articles")
    op.drop_table("maintenance")
