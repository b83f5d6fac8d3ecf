"""Logging: one line per event with stable keys (feed, url, article, alert, watchlist, target, file,
pattern).

Three forms of the same line:

* on a terminal, for people: ``08:05:01 info    polled: 3 entries, 1 new  [feed=tagesschau …]``;
* under systemd (stderr is the journal, ``$JOURNAL_STREAM``): ``<6>level=info logger=… msg=… feed=…``,
  the ``<N>`` prefix gives journald the priority (``journalctl -p warning`` works), no timestamp
  (the journal has one);
* in a pipe or file: ``ts=2025-10-21T08:05:01.123Z level=info logger=… msg=… feed=…``.

Outside the terminal a traceback stays on the event's line (``exc="…\\n…"``), so one event is one line.
Every line passes ``redact.text``: a token in a URL never reaches the log.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import UTC, datetime
from typing import TextIO

from monitor import redact

KEYS = ("feed", "url", "article", "alert", "watchlist", "target", "file", "pattern")
_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3, logging.CRITICAL: 2}


class KeyValueFormatter(logging.Formatter):
    def __init__(self, human: bool, journal: bool = False) -> None:
        super().__init__()
        self.human = human
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        fields = {key: redact.text(str(getattr(record, key))) for key in KEYS
                  if getattr(record, key, None) is not None}
        message = redact.text(record.getMessage())
        if self.human:
            context = " ".join(f"{k}={v}" for k, v in fields.items())
            line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname.lower():7} {message}"
            line = f"{line}  [{context}]" if context else line
            if record.exc_info:
                line += "\n" + redact.text(self.formatException(record.exc_info))
            return line
        parts = [f"level={record.levelname.lower()}", f"logger={record.name}", f"msg={_quote(message)}"]
        parts += [f"{k}={_quote(str(v))}" for k, v in fields.items()]
        if record.exc_info:
            parts.append(f"exc={_quote(redact.text(self.formatException(record.exc_info)))}")
        if self.journal:
            return f"<{_PRIORITY.get(record.levelno, 6)}>" + " ".join(parts)
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return f"ts={stamp} " + " ".join(parts)


def _quote(value: str) -> str:
    if value and not any(ch in value for ch in ' "=\n\\'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def under_journal(stream: TextIO) -> bool:
    """True when ``stream`` is the journal stream systemd passed (``$JOURNAL_STREAM`` is ``dev:inode``)."""
    expected = os.environ.get("JOURNAL_STREAM", "")
    if not expected:
        return False
    try:
        stat = os.fstat(stream.fileno())
    except (OSError, ValueError):
        return False
    return expected == f"{stat.st_dev}:{stat.st_ino}"


def setup(verbose: bool = False) -> None:
    journal = under_journal(sys.stderr)
    human = sys.stderr.isatty() and not journal
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(human, journal))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic", "apprise"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
