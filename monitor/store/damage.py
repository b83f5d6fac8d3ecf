"""A damaged or empty SQLite file: one clear error naming the file and what to do, never a traceback.

SQLite reports a file that is not a database (garbage header) as ``SQLITE_NOTADB`` and damaged pages
(a truncated file, overwritten pages) as ``SQLITE_CORRUPT``; both arrive as SQLAlchemy's
``DatabaseError`` from whichever statement first touches the bad page. ``translated`` turns them
into ``DamagedDatabase``, which every command prints as one ``newsmon: error:`` line and the daemon
stops on (nothing it does can repair the file; systemd shows the unit failed).

An existing file of zero bytes is refused rather than silently initialised: a database that was
truncated must be restored, not replaced by an empty one. ``newsmon db upgrade`` initialises it on
purpose, and says so. ``quick_check`` is ``newsmon status``'s look at the whole file, bounded in time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from monitor.errors import DamagedDatabase, StoreError

_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
_SIGNS = ("file is not a database", "database disk image is malformed", "malformed database schema")
CHECK_BUDGET = 3.0  # seconds status spends on PRAGMA quick_check before it reports "not checked to the end"


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def is_damage(err: BaseException) -> bool:
    """True for SQLite's "not a database" or "malformed" errors (also wrapped by SQLAlchemy)."""
    inner = err.orig if isinstance(err, DatabaseError) else err
    if not isinstance(inner, sqlite3.DatabaseError):
        return False
    code = getattr(inner, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    return any(sign in str(inner).lower() for sign in _SIGNS)


def damaged(path: Path | str, reason: str) -> DamagedDatabase:
    return DamagedDatabase(
        f"database file {path} is damaged ({reason}); stop newsmon, then restore a backup, or recover what is "
        f"readable with `sqlite3 {path} .recover | sqlite3 {path}.recovered` and put {path}.recovered in its "
        f"place")


@contextmanager
def translated(url: str) -> Iterator[None]:
    """Re-raise SQLite damage inside the block as ``DamagedDatabase`` naming the file."""
    try:
        yield
    except DatabaseError as err:
        if not is_damage(err):
            raise
        reason = str(err.orig or err).strip().splitlines()[0][:120]
        raise damaged(sqlite_file(url) or url, reason) from err


def check_file(url: str, *, create: bool, initialise_empty: bool = False) -> str | None:
    """Before opening: refuse an empty existing file (unless ``initialise_empty``, then a note saying
    so is returned), and, without ``create``, a file that does not exist (opening would create it)."""
    path = sqlite_file(url)
    if path is None:
        return None
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        if not create:
            raise StoreError(f"no database at {path} yet; `newsmon run` or `newsmon db upgrade` creates it") from None
        return None
    except OSError as err:
        raise StoreError(f"cannot use the database file {path}: {err.strerror or err}") from err
    if size:
        return None
    if initialise_empty:
        return f"database file {path} was empty (0 bytes): initialised as a new database"
    raise StoreError(f"database file {path} exists but is empty (0 bytes); if it held data, restore a backup; "
                     f"to start a new database on purpose run `newsmon db upgrade` (or delete the file)")


def quick_check(engine: Engine, budget: float = CHECK_BUDGET) -> str | None:
    """SQLite's ``PRAGMA quick_check``, stopped after ``budget`` seconds: the first problem it names,
    or None (also when the budget ran out first, the part checked being sound)."""
    if engine.dialect.name != "sqlite":
        return None
    with engine.connect() as conn:
        raw: Any = conn.connection.dbapi_connection
        until = time.monotonic() + budget
        raw.set_progress_handler(lambda: 1 if time.monotonic() > until else 0, 10_000)
        try:
            rows = conn.exec_driver_sql("PRAGMA quick_check(5)").all()
        except DatabaseError as err:
            if "interrupted" in str(err.orig).lower():
                return None
            if is_damage(err):
                return str(err.orig).strip().splitlines()[0][:200]
            raise
        finally:
            raw.set_progress_handler(None, 0)
    problems = [" ".join(str(row[0]).replace("*** in database main ***", "").split()) for row in rows
                if str(row[0]).lower() != "ok"]
    return "; ".join(problems)[:300] or None
