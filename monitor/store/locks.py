"""PostgreSQL advisory locks on an engine's own connection (no-ops on SQLite, one process there).

Kept apart from ``leases`` so that migrations, which ``db`` runs while opening a database, can take
the deployment-wide lock without importing the session layer they are part of.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

# The key of an advisory lock: a 64-bit hash of the schema and the name, so two deployments in
# two schemas of one database do not block each other.
LOCK_KEY = "hashtextextended(current_schema() || ':newsmon:' || :name, 0)"


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Wait for a deployment-wide lock and hold it for the block (PostgreSQL; a no-op elsewhere).

    Used around migrations, so that daemons starting together upgrade the schema one after the other.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text(f"SELECT pg_advisory_lock({LOCK_KEY})"), {"name": name})
        conn.commit()
        try:
            yield
        finally:
            unlock(conn, name)


def unlock(conn: Connection, name: str) -> None:
    try:
        conn.execute(text(f"SELECT pg_advisoryunlock({LOCK_KEY})"), {"name": name})
        conn.commit()
    except DBAPIError:
        conn.invalidate()  # the connection is gone, and the server dropped its locks with it
