"""dedup and stories: article features, revisions, stories, story outlets; source outlet; alert kind

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa

from alembic import op

revision = '0004'
down_revision = '0005'  # ids are the ones deployed databases carry; the file names give the order
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_article_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.Column('article_count', sa.Integer(), nullable=False),
    sa.Column('outlet_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['first_article_id'], ['articles.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('stories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stories_last_seen'), ['last_seen'], unique=False)

    op.create_table('story_outlets',
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('story_id', 'outlet')
    )
    op.create_table('article_features',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=40), nullable=False),
    sa.Column('signature', sa.LargeBinary(), nullable=True),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('first_seen', sa.DateTime(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['story_id'], ['stories.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('article_id')
    )
    with op.batch_alter_table('article_features', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_features_first_seen'), ['first_seen'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_features_story_id'), ['story_id'], unique=False)

    op.create_table('article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('feed_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('link', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['feed_id'], ['feeds.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_revisions_article_id'), ['article_id'], unique=False)

    with op.batch_alter_table('article_sources', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outlet', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('link', sa.Text(), nullable=True))

    # SQLite rebuilds alerts; the referred tables need not be reflected (nor articles' expression index)
    with op.batch_alter_table('alerts', schema=None, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=32), server_default='article', nullable=False))
        batch_op.drop_constraint('uq_alert_article_watchlist_target', type_='unique')
        batch_op.create_unique_constraint('uq_alert_article_watchlist_target_kind',
                                          ['article_id', 'watchlist', 'target', 'kind'])


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_constraint('uq_alert_article_watchlist_target_kind', type_='unique')
        batch_op.create_unique_constraint('uq_alert_article_watchlist_target', ['article_id', 'watchlist', 'target'])
        batch_op.drop_column('kind')
    with op.batch_alter_table('article_sources', schema=None) as batch_op:
        batch_op.drop_column('link')
        batch_op.drop_column('outlet')
    op.drop_table('article_revisions')
    op.drop_table('article_features')
    op.drop_table('story_outlets')
    op.drop_table('stories')
