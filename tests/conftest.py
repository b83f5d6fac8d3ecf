"""Shared fixtures: the real third-party data, and databases on both backends.

``db`` runs a test on SQLite and on PostgreSQL. Each PostgreSQL test gets its own schema (via
``search_path``) in the database named by ``NEWSMON_TEST_PG_URL``, dropped afterwards; without that
variable, or without a reachable server, the PostgreSQL variants skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from monitor.settings import cache_dirs
from monitor.store.db import Database, open_database
from monitor.text import configure_lexicon

ROOT = Path(__file__).resolve().parents[1]
REALDATA = ROOT.parent / "shared" / "realdata"

configure_lexicon(cache_dirs())  # as the CLI does: the lexicon's tries are built once, not per test process


@pytest.fixture
def realdata() -> Path:
    """``../shared/realdata`` beside the checkout; the test is skipped where it is absent."""
    if not REALDATA.is_dir():
        pytest.skip(f"real data not present at {REALDATA}")
    return REALDATA


def pg_url() -> str:
    """The test server's URL, or skip with the reason it cannot be used."""
    url = os.environ.get("NEWSMON_TEST_PG_URL")
    if not url:
        pytest.skip("NEWSMON_TEST_PG_URL is not set (CI sets it to the machine's PostgreSQL)")
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as err:  # any driver error means: not reachable here
        pytest.skip(f"PostgreSQL at {url} is not reachable: {err.__class__.__name__}")
    return url


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A URL whose connections live in a fresh, empty schema of the test database (dropped after)."""
    base = pg_url()
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}&application_name={schema}"
    with admin.connect() as conn:  # connections a killed daemon left behind must not hold the schema
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = :name AND pid <> pg_backend_pid()"), {"name": schema})
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated-on-open database URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'n.db'}"
    return str(request.getfixturevalue("pg_schema_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url, upgrade=True)
    yield database
    database.dispose()
