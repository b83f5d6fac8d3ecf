"""The database a report reads: the caller's open one (the web view keeps one), else opened for the call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from monitor.config import Settings
from monitor.store.db import Database, open_database


@contextmanager
def database(settings: Settings, db: Database | None = None) -> Iterator[Database]:
    if db is not None:
        yield db
        return
    opened = open_database(settings.database_url)
    try:
        yield opened
    finally:
        opened.dispose()
