"""alert delivery: messages (the unit of sending), alert holds and modes, feed health for admin alerts
(and an index on a feed's latest sources, by which its silence is judged)

Revision ID: 0005
Revises: 0007
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = "0005"
down_revision = "0007"  # ids are the ones deployed databases carry; the file names give the order
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("digest", sa.String(length=200), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_messages_target_sent", ["target", "sent_at"], unique=False)

    # the referred tables need not be reflected: SQLite cannot reflect the expression index on articles
    with op.batch_alter_table("alerts", schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mode", sa.String(length=210), server_default="instant", nullable=False))
        batch_op.add_column(sa.Column("hold_reason", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_alerts_message_id"), ["message_id"], unique=False)
        batch_op.create_foreign_key("fk_alerts_message_id", "messages", ["message_id"], ["id"], ondelete="SET NULL")

    with op.batch_alter_table("article_sources", schema=None) as batch_op:
        batch_op.create_index("ix_article_sources_feed_seen", ["feed_id", "seen_at"], unique=False)

    op.create_table(
        "feed_health",
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=16), nullable=True),
        sa.Column("since", sa.DateTime(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["feed_id"], ["feeds.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("feed_id"),
    )


def downgrade() -> None:
    op.drop_table("feed_health")
    with op.batch_alter_table("article_sources", schema=None) as batch_op:
        batch_op.drop_index("ix_article_sources_feed_seen")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_alerts_message_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_alerts_message_id"))
        batch_op.drop_column("hold_reason")
        batch_op.drop_column("mode")
        batch_op.drop_column("message_id")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_target_sent")
        batch_op.drop_index("ix_messages_due")
    op.drop_table("messages")
