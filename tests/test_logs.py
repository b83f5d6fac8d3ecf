"""Log lines: stable keys, one line per event, the form chosen by where stderr goes."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import pytest

from monitor.logs import KeyValueFormatter, under_journal


def _record(message: str, level: int = logging.INFO, exc: bool = False, **extra: object) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("kaputt\nzweite Zeile")
        except ValueError:
            info = sys.exc_info()
    record = logging.LogRecord("monitor.pipeline", level, __file__, 1, message, None, info)
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_pipe_lines_are_key_value_with_a_utc_timestamp_and_quoted_values() -> None:
    line = KeyValueFormatter(human=False).format(
        _record('polled: 3 entries, "1" new', feed="Süddeutsche Zeitung", url="https://x.de/rss?a=1"))
    assert line.startswith("ts=") and "Z level=info logger=monitor.pipeline" in line
    assert 'msg="polled: 3 entries, \\"1\\" new"' in line
    assert 'feed="Süddeutsche Zeitung"' in line and 'url="https://x.de/rss?a=1"' in line


def test_a_traceback_stays_on_the_events_line_outside_a_terminal() -> None:
    line = KeyValueFormatter(human=False, journal=True).format(
        _record("poll crashed", logging.ERROR, exc=True, feed="ORF"))
    assert "\n" not in line
    assert line.startswith("<3>level=error ") and "ts=" not in line
    assert "feed=ORF" in line and "exc=" in line and "ValueError: kaputt\\nzweite Zeile" in line


def test_terminal_lines_are_for_people() -> None:
    line = KeyValueFormatter(human=True).format(_record("alert sent", target="chat", watchlist="ukraine"))
    assert "info    alert sent  [watchlist=ukraine target=chat]" in line


def test_the_journal_is_recognised_only_when_stderr_is_the_stream_systemd_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with (tmp_path / "journal").open("w") as stream, (tmp_path / "other").open("w") as other:
        stat = os.fstat(stream.fileno())
        monkeypatch.setenv("JOURNAL_STREAM", f"{stat.st_dev}:{stat.st_ino}")
        assert under_journal(stream)
        assert not under_journal(other)  # e.g. `newsmon status` run from a shell inside the service's env
        monkeypatch.delenv("JOURNAL_STREAM")
        assert not under_journal(stream)
