"""Ids for rows about to be written, taken before the rows are: the dedup stage needs an article's id
(and its story's) the moment it decides, but writes the rows of a whole feed in one statement.

PostgreSQL: the table's own sequence (``nextval``); ids of a rolled-back batch or left unused are
skipped, as PostgreSQL always does. SQLite: the next ids after the largest in the table, which is
what SQLite itself would assign; safe because the write transaction began with ``BEGIN IMMEDIATE``
(``store/db.py``), so no other writer can take them before this transaction ends.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from monitor.store.tables import Base


def reserve(session: Session, model: type[Base], count: int) -> tuple[int, ...]:
    """``count`` ids of the table no other row has or will get."""
    table: Table = model.__table__  # type: ignore[assignment]
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return tuple(session.scalars(query, {"table": table.name, "count": count}))
    after = session.execute(select(func.max(table.c.id))).scalar() or 0
    return tuple(range(after + 1, after + 1 + count))
