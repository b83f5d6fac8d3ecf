"""Engine and sessions: SQLite with WAL and a busy timeout, PostgreSQL with pre-ping.

Two kinds of transaction: ``session()`` for steps that write (on SQLite it takes the write lock at
``BEGIN IMMEDIATE``), ``reading()`` for steps that only read (a plain deferred ``BEGIN``: in WAL
mode it reads a snapshot and never waits for another process's write transaction).

A SQLite file, its ``-wal`` and ``-shm`` files and a state folder newsmon creates are private to
the user (0600 / 0700): they hold feed URLs with their tokens and the alert history.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session as Session  # the stages above storage name it through here
from sqlalchemy.orm import sessionmaker

from monitor.errors import StoreError
from monitor.store.damage import check_file, sqlite_file, translated

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 30_000
PRIVATE_UMASK = 0o077
_READ = "newsmon_read_only"  # execution option of the engine behind ``reading()``


def make_engine(url: str) -> Engine:
    """An engine for ``url``; the SQLite file's folder is created, WAL and busy timeout set."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_folder(Path(parsed.database).expanduser().parent)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "do_connect", _sqlite_connect_private)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents) if missing; the folders made here are 0700. A folder
    that exists keeps its mode: the user chose it."""
    missing = [folder, *folder.parents]
    missing = [path for path in missing if not path.exists()]
    for path in reversed(missing):
        try:
            path.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask; make sure


def _sqlite_connect_private(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
    # SQLite creates the database file when the connection opens and gives -wal and -shm the mode
    # of the database file: a private umask while opening makes all three 0600. The umask is
    # process-wide, so it is narrowed only for the open itself.
    previous = os.umask(PRIVATE_UMASK)
    try:
        return dialect.loaded_dbapi.connect(*cargs, **cparams)
    finally:
        os.umask(previous)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" event issue BEGIN itself
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    if conn.get_execution_options().get(_READ):
        conn.exec_driver_sql("BEGIN")  # a snapshot read: never waits behind a writer (WAL)
        return
    # Take the write lock at BEGIN: a read that later writes cannot then fail with SQLITE_BUSY
    # halfway through, and the busy timeout applies to the whole transaction.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factories; ``with db.session() as s:`` commits or rolls back,
    ``with db.reading() as s:`` reads without taking SQLite's write lock."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.read_engine = self.engine.execution_options(**{_READ: True})
        self._factory = sessionmaker(self.engine, expire_on_commit=False)
        self._read_factory = sessionmaker(self.read_engine, expire_on_commit=False)
        self.note: str | None = None  # said when opening did something the user should know

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        with translated(self.url), self._factory() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for reads only (status, lists, search, the poll schedule)."""
        with translated(self.url), self._read_factory() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = False, initialise_empty: bool = False) -> Database:
    """Open the database; with ``upgrade`` apply migrations first, else insist the schema is current.

    A SQLite file is never created without ``upgrade`` and never initialised from zero bytes without
    ``initialise_empty``; a damaged one is a ``DamagedDatabase`` (``monitor.store.damage``)."""
    note = check_file(url, create=upgrade, initialise_empty=initialise_empty)
    db = Database(url)
    db.note = note
    if note:
        log.warning("%s", note, extra={"file": str(sqlite_file(url))})
    try:
        with translated(url):
            _open(db, upgrade)
    except BaseException:
        db.dispose()
        raise
    return db


def _open(db: Database, upgrade: bool) -> None:
    from monitor.store.retry import retrying
    from monitor.store.schemaversion import behind

    lag = retrying(lambda: behind(db.engine if upgrade else db.read_engine), what="open the database")
    if lag is None:
        return  # at head: alembic is not even imported
    if not upgrade:
        raise StoreError(f"database schema is not current ({lag}); run `newsmon db upgrade`")
    from monitor.store.migrate import upgrade_to_head

    retrying(lambda: upgrade_to_head(db.engine), what="open the database")


def upgrade_apart(url: str) -> None:
    """Bring the schema to head in a child process when it is behind, for a process that runs for
    long: migrating in the daemon itself would keep alembic's modules (some 15 MB with mako and
    pygments) resident for as long as it runs. Whatever the child could not do, the daemon's own
    ``open_database(url, upgrade=True)`` then does, and reports."""
    import subprocess
    import sys

    from monitor.errors import MonitorError

    try:
        open_database(url).dispose()
        return  # current
    except MonitorError:
        pass  # behind, not created yet, or damaged: the child tries, the daemon's own open reports
    code = ("import os; from monitor.store.db import open_database; "
            "open_database(os.environ['NEWSMON_MIGRATE_URL'], upgrade=True).dispose()")
    try:  # the URL goes by the environment: a password on a command line is visible to every user
        done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "NEWSMON_MIGRATE_URL": url},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=3600,
                              check=False)
    except (OSError, subprocess.SubprocessError) as err:
        log.debug("cannot migrate in a child process (%s): migrating in this one", err)
        return
    if done.returncode != 0:
        log.debug("migrating in a child process failed: %s", done.stderr.strip()[-500:])


def masked_url(url: str) -> str:
    """A database URL as it may be shown: the password replaced by ``***``."""
    return make_url(url).render_as_string(hide_password=True)
