"""Who can open the SQLite state, and who has to wait for it.

The state directory and the database files hold feed URLs (with their tokens) and the alert history:
created private (0700 / 0600) whatever the umask. Reading commands never take the write lock, so
``newsmon status`` answers while another process holds a long write transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store.db import open_database
from tests.harness import write_config


@pytest.fixture
def wide_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_directory_and_database_files_are_private(tmp_path: Path, wide_umask: None) -> None:
    state = tmp_path / "state" / "newsmon"
    db = open_database(f"sqlite:///{state / 'newsmon.db'}", upgrade=True)
    try:
        with db.session() as session:
            session.connection().exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        files = sorted(state.iterdir())
        assert {f.name for f in files} >= {"newsmon.db", "newsmon.db-wal", "newsmon.db-shm"}
        assert _mode(state) == 0o700
        for file in files:
            assert _mode(file) == 0o600, file.name
    finally:
        db.dispose()


def test_an_existing_folder_keeps_its_mode(tmp_path: Path, wide_umask: None) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    open_database(f"sqlite:///{folder / 'n.db'}", upgrade=True).dispose()
    assert _mode(folder) == 0o755  # a folder the user made is theirs to set
    assert _mode(folder / "n.db") == 0o600


def _cli(config: Path, *args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)


def test_status_answers_while_another_process_holds_the_write_lock(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"eins": "http://127.0.0.1:9/feed.xml"}, {"hook": "json://127.0.0.1:9/"})
    assert _cli(config, "run", "--once").returncode == 0  # the schema and the feed's row
    writer = sqlite3.connect(tmp_path / "newsmon.db", isolation_level=None, timeout=1)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO feeds (name, url, failures, disabled, created_at) "
                       "VALUES ('zwei', 'http://127.0.0.1:9/b.xml', 0, 0, '2025-10-21 08:00:00')")
        # held for the whole run of each command, far beyond the 30 s busy timeout: a command that
        # asked for the write lock would fail with "database is locked"
        status = _cli(config, "status", "--json")
        assert status.returncode == 0, status.stderr
        shown = json.loads(status.stdout)
        assert [feed["name"] for feed in shown["feeds"]] == ["eins"]  # the writer's row is not committed
        for command in (["feeds", "list", "--json"], ["alerts", "list", "--json"], ["stories", "--json"],
                        ["search", "Tomahawk", "--json"], ["watchlists", "--json"]):
            done = _cli(config, *command)
            assert done.returncode == 0, (command, done.stderr)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_read_session_sees_committed_rows_while_a_writer_holds_the_lock(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'n.db'}", upgrade=True)
    writer = sqlite3.connect(tmp_path / "n.db", isolation_level=None, timeout=0.1)
    try:
        with db.session() as session:
            session.connection().exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            session.connection().exec_driver_sql("INSERT INTO probe VALUES (1)")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO probe VALUES (2)")
        with db.reading() as session:
            assert session.connection().exec_driver_sql("SELECT sum(x) FROM probe").scalar() == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        db.dispose()
