"""``newsmon status``: feeds' health, article and outbox counts (docs/architecture.md §7 ``status --json``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.config import Settings
from monitor.reports.database import database
from monitor.store import heldback, repo
from monitor.store import storyrows as stories
from monitor.store.db import Database
from monitor.store.maintenance import last_runs


def collect(settings: Settings, db: Database | None = None) -> dict[str, Any]:
    configured = {feed.name for feed in settings.feeds}
    with database(settings, db) as db:
        maintenance = last_runs(db)
        with db.reading() as session:
            feeds = [
                {
                    "name": feed.name,
                    "url": feed.url,
                    "last_ok": _iso(feed.last_ok),
                    "last_error": feed.last_error,
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
