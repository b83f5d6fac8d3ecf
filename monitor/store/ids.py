"""Ids for rows about to be written, taken before the rows are: the dedup stage needs an article's id
(and its story's) the moment it decides, but writes the rows of a whole feed in one statement.

PostgreSQL: the table's own sequence (``nextval``), a block at a time; ids of a rolled-back batch are
skipped, as PostgreSQL always does. SQLite: the next ids after the largest in the table, which is
what SQLite itself would assign; safe because the write transaction began with ``BEGIN IMMEDIATE``
(``store/db.py``), so no other writer can take them before this transaction ends.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from monitor.store.tables import Base


class Ids:
    """The next free ids of a table in this transaction; ``block``: how many PostgreSQL takes at once."""

    def __init__(self, session: Session, model: type[Base], block: int) -> None:
        table: Table = model.__table__  # type: ignore[assignment]
        self.session, self.table, self.block = session, table, max(1, block)
        self.sequence = session.get_bind().dialect.name == "postgresql"
        self.free: list[int] = []
        self.after: int | None = None  # SQLite: the largest id so far

    def __iter__(self) -> Ids:
        return self

    def __next__(self) -> int:
        if self.sequence:
            if not self.free:
                self.free = self._sequence()[::-1]
            return self.free.pop()
        if self.after is None:
            self.after = self.session.execute(select(func.max(self.table.c.id))).scalar() or 0
        self.after += 1
        return self.after

    def _sequence(self) -> list[int]:
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return list(self.session.scalars(query, {"table": self.table.name, "count": self.block}))
