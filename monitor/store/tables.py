"""The schema as typed SQLAlchemy 2 models. Alembic owns the DDL (``alembic/versions``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from monitor.model import AlertKind, AlertState, MessageState


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python, naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Feed(Base):
    """A configured feed and its polling state (validators, health, schedule, lease)."""

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    body_hash: Mapped[str | None] = mapped_column(String(64))
    last_ok: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(default=0)
    next_poll: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Article(Base):
    """One article, stored once however many feeds or copies carry it."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id"))
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    guid: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    first_seen: Mapped[datetime] = mapped_column(index=True)


# search and backtest filter and order by "published, else first seen" (store/history.py)
Index("ix_articles_when", func.coalesce(Article.published, Article.first_seen))


class ArticleKey(Base):
    """Identity keys (``url:``, ``guid:``): the unique constraint decides what is new."""

    __tablename__ = "article_keys"

    key: Mapped[str] = mapped_column(String(700), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)


class ArticleSource(Base):
    """Every feed an article was seen in, first time first."""

    __tablename__ = "article_sources"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    seen_at: Mapped[datetime]
    outlet: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(Text)


# A feed's latest new articles, newest first (admin alerts judge a feed's silence by them).
Index("ix_article_sources_feed_seen", ArticleSource.feed_id, ArticleSource.seen_at)


class Alert(Base):
    """The outbox: one row per (article, watchlist, target), written with the article.

    ``state``: pending (due for planning at ``next_attempt_at``), held (waiting for the end of quiet
    hours, a free rate-limit slot or a digest; ``hold_reason`` says which), queued (part of the
    message ``message_id``, which carries the attempts), sent, dead.
    """

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("article_id", "watchlist", "target", "kind", name="uq_alert_article_watchlist_target_kind"),
        Index("ix_alerts_due", "state", "next_attempt_at"),
        # the web view's per-watchlist figures read only these columns of a window of alerts
        Index("ix_alerts_figures", "created_at", "watchlist", "kind", "state", "hold_reason", "article_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    watchlist: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), default=AlertKind.ARTICLE.value, server_default="article")
    state: Mapped[str] = mapped_column(String(16), default=AlertState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL", name="fk_alerts_message_id"), index=True)
    mode: Mapped[str] = mapped_column(String(210), default="instant", server_default="instant")
    hold_reason: Mapped[str | None] = mapped_column(String(16))


class Message(Base):
    """One message to one target: a single alert, a fold of held alerts, a digest, or an admin alert.

    The unit of sending: its alerts are fixed before the first try, so a crash between send and
    commit can resend only this one message.
    """

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_due", "state", "next_attempt_at"),
        Index("ix_messages_target_sent", "target", "sent_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=MessageState.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]


class FeedHealth(Base):
    """What the admin target was last told about a feed: ``problem`` is failing, silent or None."""

    __tablename__ = "feed_health"

    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), primary_key=True)
    problem: Mapped[str | None] = mapped_column(String(16))
    since: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(Text)


class Maintenance(Base):
    """When each maintenance task (retention, vacuum) last ran, and what it did."""

    __tablename__ = "maintenance"

    task: Mapped[str] = mapped_column(String(50), primary_key=True)
    last_run: Mapped[datetime]
    detail: Mapped[str | None] = mapped_column(Text)


class Story(Base):
    """Articles about one event across outlets and hours (docs/architecture.md §4)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_article_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime] = mapped_column(index=True)
    article_count: Mapped[int] = mapped_column(default=1)
    outlet_count: Mapped[int] = mapped_column(default=1)


class StoryOutlet(Base):
    """The outlets that carried a story, each with the time it first did (for outlet counts, trending)."""

    __tablename__ = "story_outlets"

    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)
    outlet: Mapped[str] = mapped_column(String(200), primary_key=True)
    first_seen: Mapped[datetime]


class ArticleFeatures(Base):
    """What dedup and story assignment keep of an article: hash, MinHash signature, terms, story."""

    __tablename__ = "article_features"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    content_hash: Mapped[str] = mapped_column(String(40))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    terms: Mapped[dict[str, Any]]
    at: Mapped[datetime]
    first_seen: Mapped[datetime] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=1)


class ArticleBand(Base):
    """One LSH band key of an article's MinHash signature: near-duplicate candidates are the recent
    articles sharing a key (``dedup/nearindex.py``)."""

    __tablename__ = "article_bands"
    __table_args__ = ({"sqlite_with_rowid": False},)  # 32 rows an article: the primary key is the table

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    seen_us: Mapped[int] = mapped_column(BigInteger, index=True)  # first seen, µs since 1970: the horizon's clock


class StoryPosting(Base):
    """One story term of an article, by the 12-hour bucket of its story clock: the candidates of a new
    article are the recent articles sharing its rarer terms in the window's buckets (``dedup/storysnapshot.py``)."""

    __tablename__ = "story_postings"
    __table_args__ = ({"sqlite_with_rowid": False},)  # some 20 rows an article: the primary key is the table

    term: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)  # 64-bit hash of the term
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    article_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    seen_us: Mapped[int] = mapped_column(BigInteger)  # first seen: articles past the horizon propose nothing


class StoryVector(Base):
    """An article of the story horizon as the story decision compares it: its story, story clock and its
    terms' hashes and title flags packed in one value (``dedup/storysnapshot.pack_vector``)."""

    __tablename__ = "story_vectors"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True,
                                            autoincrement=False)
    story_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at_us: Mapped[int] = mapped_column(BigInteger)  # the story clock, µs since 1970
    seen_us: Mapped[int] = mapped_column(BigInteger, index=True)  # first seen: the horizon's clock
    terms: Mapped[bytes] = mapped_column(LargeBinary)


class StoryTermCount(Base):
    """Document frequency of a story term over the horizon's articles; term 0 counts the articles."""

    __tablename__ = "story_df"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    df: Mapped[int] = mapped_column(BigInteger)


class ArticleRevision(Base):
    """A changed version of a known article: an update of the same GUID or a lightly edited copy."""

    __tablename__ = "article_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int]
    feed_id: Mapped[int] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str | None] = mapped_column(Text)
    seen_at: Mapped[datetime]


class HeldBack(Base):
    """A matching article a watchlist did not alert (or not at once), and why: ``reason`` is
    duplicate, story, exclude, max_age, backlog (written with the outbox rows), quiet or rate (written
    when the planner holds an alert; ``target`` says whose)."""

    __tablename__ = "held_back"
    __table_args__ = (Index("ix_held_back_watchlist_at", "watchlist", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    watchlist: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any] | None]
