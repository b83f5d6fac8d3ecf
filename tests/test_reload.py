"""Reload (SIGHUP) in-process: a broken file is refused naming it; restart-only keys keep their value."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

from monitor.daemon.reload import reread
from monitor.settings import load
from tests.harness import write_config


def test_a_broken_watchlist_is_refused_and_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    running = load(write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"}))
    (tmp_path / "watchlists" / "zweite.yaml").write_text("watchlists:\n  - name: x\n    query: 'a AND'\n", "utf-8")
    with caplog.at_level(logging.ERROR):
        assert reread(running) is None
    (record,) = caplog.records
    assert record.file == str(tmp_path / "watchlists" / "zweite.yaml")  # type: ignore[attr-defined]
    assert "x.query" in record.getMessage() and "reload refused" in record.getMessage()


def test_an_unknown_target_scheme_is_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    running = load(config)
    write_config(tmp_path, {}, {"hook": "kaputt://nirgends"})
    with caplog.at_level(logging.ERROR):
        assert reread(running) is None
    assert "targets.hook.url" in caplog.text


def test_database_and_metrics_changes_wait_for_a_restart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = write_config(tmp_path, {}, {"hook": "json://127.0.0.1:9/h"})
    running = load(config)
    data = yaml.safe_load(config.read_text("utf-8"))
    data.update(database=f"sqlite:///{tmp_path / 'other.db'}", metrics={"listen": "127.0.0.1:9999"},
                poll={"interval": "2m"})
    config.write_text(yaml.safe_dump(data), "utf-8")
    with caplog.at_level(logging.WARNING):
        fresh = reread(running)
    assert fresh is not None
    assert fresh.database_url == running.database_url and fresh.monitor.metrics.listen is None
    assert fresh.monitor.poll.interval == 120.0  # everything else is taken
    assert "database changed: takes effect after a restart" in caplog.text
    assert "metrics changed" in caplog.text
