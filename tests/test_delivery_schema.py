"""The models and the migrations agree (Alembic's compare_metadata), on SQLite and PostgreSQL (``db``)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from monitor.store.db import Database
from monitor.store.tables import Base


def test_migrations_create_exactly_the_tables_the_models_describe(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
