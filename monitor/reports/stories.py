"""The service behind ``newsmon stories``: recent stories from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.config import Settings
from monitor.reports.database import database
from monitor.store import storyrows as stories
from monitor.store.db import Database
from monitor.store.glance import story_alerts


def list_stories(settings: Settings, period: timedelta, min_articles: int = 1, limit: int = 50,
                 now: datetime | None = None, db: Database | None = None, *,
                 articles: bool = True) -> list[stories.StoryView]:
    """Active stories, biggest first; without ``articles`` their outlets only (no article list)."""
    with database(settings, db) as db, db.reading() as session:
        return stories.recent_stories(session, now or datetime.now(UTC), period, min_articles, limit,
                                      articles=articles)


def story_detail(settings: Settings, story_id: int, db: Database | None = None) -> dict[str, Any] | None:
    """One story as ``stories --json`` shows it, with ``alerts``: the outbox rows of its articles
    (watchlist, target name, kind, state), oldest first."""
    with database(settings, db) as db, db.reading() as session:
        view = stories.story_view(session, story_id)
        if view is None:
            return None
        alerts = [{"watchlist": a.watchlist, "target": a.target, "kind": a.kind, "state": a.state,
                   "article_id": a.article_id, "created_at": a.created_at.isoformat()}
                  for a in story_alerts(session, story_id)]
    return {**view.as_json(), "alerts": alerts}
