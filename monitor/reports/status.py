"""``newsmon status``: feeds' health, article and outbox counts (docs/architecture.md §7 ``status --json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor import redact
from monitor.config import Settings
from monitor.reports.database import database
from monitor.store import heldback, repo
from monitor.store import storyrows as stories
from monitor.store.damage import damaged, quick_check, sqlite_file
from monitor.store.db import Database
from monitor.store.maintenance import last_runs


def collect(settings: Settings, db: Database | None = None, *, check: bool = True) -> dict[str, Any]:
    """The report; a damaged SQLite file (found by a time-bounded ``quick_check``) is a ``DamagedDatabase``.
    Without ``check`` (a page asked for again and again) the file is not checked."""
    configured = {feed.name for feed in settings.feeds}
    with database(settings, db) as db:
        problem = quick_check(db.read_engine) if check else None  # a snapshot read: never waits behind a writer
        if problem:
            raise damaged(sqlite_file(settings.database_url) or "the database", problem)
        maintenance = last_runs(db)
        with db.reading() as session:
            feeds = [
                {
                    "name": feed.name,
                    "url": redact.url(feed.url),
                    "last_ok": _iso(feed.last_ok),
                    "last_error": redact.text(feed.last_error) if feed.last_error else None,
                    "last_error_at": _iso(feed.last_error_at),
                    "next_poll": _iso(feed.next_poll),
                    "failures": feed.failures,
                    "articles": count,
                    "disabled": feed.disabled,
                    "configured": feed.name in configured,
                }
                for feed, count in repo.feed_rows(session)
            ]
            return {
                "articles": repo.article_count(session),
                "stories": stories.story_count(session),
                "feeds": feeds,
                "outbox": repo.outbox_counts(session),
                "maintenance": maintenance,
                "held_back": heldback.counts(session),
            }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
