"""The web view's front page: ``status --json`` plus today's articles and stories and the outbox
by exact state (pending, held, queued, sent, dead)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.config import Settings
from monitor.reports.database import database
from monitor.reports.queries import BERLIN
from monitor.reports.status import collect
from monitor.store import glance
from monitor.store.db import Database


def start_of_day(now: datetime) -> datetime:
    """Midnight, Berlin time, of the day ``now`` falls on."""
    return now.astimezone(BERLIN).replace(hour=0, minute=0, second=0, microsecond=0)


def overview(settings: Settings, now: datetime, db: Database | None = None) -> dict[str, Any]:
    with database(settings, db) as db:
        report = collect(settings, db, check=False)  # status checks the file; a page asked for often does not
        midnight = start_of_day(now)
        with db.reading() as session:
            report["today"] = {"since": midnight.isoformat(),
                               "articles": glance.articles_seen_since(session, midnight),
                               "stories": glance.stories_active_since(session, midnight)}
            report["outbox_states"] = glance.outbox_states(session)
    return report
