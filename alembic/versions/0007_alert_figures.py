"""an index for per-watchlist figures: alerts by creation time, covering what the figures count

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

COLUMNS = ["created_at", "watchlist", "kind", "state", "hold_reason", "article_id"]


def upgrade() -> None:
    op.create_index("ix_alerts_figures", "alerts", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_alerts_figures", table_name="alerts")
