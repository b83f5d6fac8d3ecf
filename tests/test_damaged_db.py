"""A damaged SQLite file: one ``newsmon: error:`` line naming it and what to do, exit 1, from every
command; the daemon stops instead of crashing every second; an empty file is never silently
re-created."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from tests.harness import Item, rss, write_config

ROOT = Path(__file__).resolve().parents[1]
PAGE = 4096
COMMANDS = [["status"], ["status", "--json"], ["run", "--once"], ["feeds", "list"], ["search", "Tomahawk"],
            ["alerts", "list"], ["db", "upgrade"], ["backtest", "--watchlists", "{watchlists}"]]


@pytest.fixture(scope="module")
def good_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real database after one cycle over 300 articles (about 400 pages)."""
    folder = tmp_path_factory.mktemp("good")
    items = [Item(f"Tomahawk-Meldung {i}: " + "Worte " * 40, f"https://example.org/{i}.html", guid=f"g{i}",
                  description="Ein längerer Text. " * 60) for i in range(300)]
    (folder / "feed.xml").write_bytes(rss(items))
    config = write_config(folder, {"Feed": str(folder / "feed.xml")}, {"hook": "json://127.0.0.1:9/h"})
    assert CliRunner().invoke(main, ["run", "--once", "--config", str(config)]).exit_code == 0
    return folder / "newsmon.db"


def _setup(tmp_path: Path, good_db: Path, damage: Callable[[bytearray], bytes]) -> tuple[Path, Path]:
    db = tmp_path / "newsmon.db"
    db.write_bytes(damage(bytearray(good_db.read_bytes())))
    (tmp_path / "feed.xml").write_bytes(rss([Item("Tomahawk neu", "https://example.org/neu.html", guid="neu")]))
    config = write_config(tmp_path, {"Neu": str(tmp_path / "feed.xml")},  # a new feed: due at once
                          {"hook": "json://127.0.0.1:9/h"})
    return config, db


def _garbage_header(data: bytearray) -> bytes:
    data[:100] = random.Random(1).randbytes(100)
    return bytes(data)


def _truncated(data: bytearray) -> bytes:
    return bytes(data[: len(data) // 3])


def _not_a_database(_data: bytearray) -> bytes:
    return b"Dies ist eine Textdatei, keine Datenbank.\n" * 200


def _assert_one_clear_line(output: str, db: Path) -> None:
    assert "Traceback" not in output and "sqlalchemy" not in output.lower()
    (line,) = output.strip().splitlines()
    assert line.startswith(f"newsmon: error: database file {db} is damaged")
    assert "restore a backup" in line and f"sqlite3 {db} .recover" in line


@pytest.mark.parametrize("damage", [_garbage_header, _truncated, _not_a_database])
def test_every_command_says_in_one_line_which_file_is_damaged_and_what_to_do(
        tmp_path: Path, good_db: Path, damage: Callable[[bytearray], bytes]) -> None:
    config, db = _setup(tmp_path, good_db, damage)
    before = db.read_bytes()
    for command in COMMANDS:
        args = [arg.format(watchlists=tmp_path / "watchlists") for arg in command]
        result = CliRunner().invoke(main, [*args, "--config", str(config)])
        assert result.exit_code == 1, (command, result.output)
        _assert_one_clear_line(result.output, db)
    assert db.read_bytes() == before  # nothing tried to repair or replace it


def _overwrite_root_pages_of(tables: list[str]) -> Callable[[bytearray], bytes]:
    def damage(data: bytearray) -> bytes:
        scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"newsmon-roots-{os.getpid()}.db"
        scratch.write_bytes(bytes(data))
        with sqlite3.connect(scratch) as conn:
            roots = [row[0] for row in conn.execute(
                f"SELECT rootpage FROM sqlite_master WHERE tbl_name IN ({','.join('?' * len(tables))})", tables)]
        scratch.unlink()
        noise = random.Random(2)
        for root in roots:
            start = (root - 1) * PAGE
            data[start:start + PAGE] = noise.randbytes(PAGE)
        return bytes(data)
    return damage


def test_damaged_pages_make_status_fail_though_its_own_queries_would_pass(tmp_path: Path, good_db: Path) -> None:
    config, db = _setup(tmp_path, good_db, _overwrite_root_pages_of(["article_keys"]))
    for command in (["status"], ["status", "--json"], ["run", "--once"]):
        result = CliRunner().invoke(main, [*command, "--config", str(config)])
        assert result.exit_code == 1, (command, result.output)
        _assert_one_clear_line(result.output, db)


def test_the_daemon_stops_with_exit_1_on_damaged_pages_instead_of_crashing_every_tick(
        tmp_path: Path, good_db: Path) -> None:
    config, db = _setup(tmp_path, good_db, _overwrite_root_pages_of(["article_keys"]))
    started = time.monotonic()
    ran = subprocess.run([sys.executable, "-m", "monitor", "run", "--config", str(config)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False,
                         env={k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "JOURNAL_STREAM")})
    assert ran.returncode == 1, ran.stderr[-2000:]
    assert time.monotonic() - started < 60
    assert "poll crashed" not in ran.stderr and "Traceback" not in ran.stderr and "exc=" not in ran.stderr
    errors = [line for line in ran.stderr.splitlines() if "level=error" in line]
    assert any(f"database file {db} is damaged" in line for line in errors)
    assert len(errors) <= 3


def test_an_empty_existing_file_is_refused_and_db_upgrade_initialises_it_saying_so(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_bytes(rss([Item("Tomahawk neu", "https://example.org/neu.html", guid="neu")]))
    config = write_config(tmp_path, {"Feed": str(tmp_path / "feed.xml")}, {"hook": "json://127.0.0.1:9/h"})
    db = tmp_path / "newsmon.db"
    db.write_bytes(b"")
    cli = CliRunner()
    for command in (["run", "--once"], ["status"]):
        refused = cli.invoke(main, [*command, "--config", str(config)])
        assert refused.exit_code == 1
        assert refused.output.startswith(f"newsmon: error: database file {db} exists but is empty (0 bytes)")
        assert "restore a backup" in refused.output and "newsmon db upgrade" in refused.output
    assert db.stat().st_size == 0
    upgraded = cli.invoke(main, ["db", "upgrade", "--config", str(config)])
    assert upgraded.exit_code == 0
    assert f"database file {db} was empty (0 bytes): initialised as a new database" in upgraded.output
    assert cli.invoke(main, ["run", "--once", "--config", str(config)]).exit_code == 0


def test_a_read_before_the_first_run_creates_no_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    status = CliRunner().invoke(main, ["status", "--config", str(config)])
    assert status.exit_code == 1 and "no database at" in status.output
    listed = CliRunner().invoke(main, ["feeds", "list", "--config", str(config)])
    assert listed.exit_code == 0
    assert not (tmp_path / "newsmon.db").exists()
    assert CliRunner().invoke(main, ["run", "--once", "--config", str(config)]).exit_code == 0


def test_a_backup_copy_restores_service(tmp_path: Path, good_db: Path) -> None:
    config, db = _setup(tmp_path, good_db, _garbage_header)
    assert CliRunner().invoke(main, ["status", "--config", str(config)]).exit_code == 1
    shutil.copy(good_db, db)
    assert CliRunner().invoke(main, ["status", "--config", str(config)]).exit_code == 0
