"""Logging: one line per event with stable keys (feed, url, article, watchlist, target).

On a terminal the line is for people; under systemd (``JOURNAL_STREAM`` set) or in a pipe it is
plain ``key=value`` for grep and log shippers.
"""

from __future__ import annotations

import logging
import os
import sys

KEYS = ("feed", "url", "article", "alert", "watchlist", "target")


class KeyValueFormatter(logging.Formatter):
    def __init__(self, human: bool) -> None:
        super().__init__()
        self.human = human

    def format(self, record: logging.LogRecord) -> str:
        fields = {key: getattr(record, key) for key in KEYS if getattr(record, key, None) is not None}
        message = record.getMessage()
        if self.human:
            context = " ".join(f"{k}={v}" for k, v in fields.items())
            line = f"{self.formatTime(record, '%H:%M:%S')} {record.levelname.lower():7} {message}"
            line = f"{line}  [{context}]" if context else line
        else:
            parts = [f"level={record.levelname.lower()}", f"logger={record.name}", f"msg={_quote(message)}"]
            parts += [f"{k}={_quote(str(v))}" for k, v in fields.items()]
            line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _quote(value: str) -> str:
    if value and not any(ch in value for ch in ' "=\n'):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def setup(verbose: bool = False) -> None:
    human = sys.stderr.isatty() and "JOURNAL_STREAM" not in os.environ
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(KeyValueFormatter(human))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("apscheduler", "httpx", "httpcore", "alembic", "apprise"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
