"""Engine and sessions: SQLite with WAL and a busy timeout, PostgreSQL with pre-ping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import StoreError

BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """An engine for ``url``; the SQLite file's folder is created, WAL and busy timeout set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock at BEGIN: a read that later writes cannot then fail with SQLITE_BUSY
    # halfway through, and the busy timeout applies to the whole transaction.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factory; ``with db.session() as s:`` commits or rolls back."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = False) -> Database:
    """Open the database; with ``upgrade`` apply migrations first, else insist the schema is current."""
    from monitor.store.migrate import check_current, upgrade_to_head
    from monitor.store.retry import retrying

    db = Database(url)
    try:
        if upgrade:
            retrying(lambda: upgrade_to_head(db.engine), what="open the database")
        else:
            behind = retrying(lambda: check_current(db.engine), what="open the database")
            if behind:
                raise StoreError(f"database schema is not current ({behind}); run `newsmon db upgrade`")
    except BaseException:
        db.dispose()
        raise
    return db


def masked_url(url: str) -> str:
    """A database URL as it may be shown: the password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)
