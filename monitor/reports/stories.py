"""The service behind ``newsmon stories``: recent stories from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config import Settings
from monitor.store import storyrows as stories
from monitor.store.db import open_database


def list_stories(settings: Settings, period: timedelta, min_articles: int = 1, limit: int = 50,
                 now: datetime | None = None) -> list[stories.StoryView]:
    db = open_database(settings.database_url)
    try:
        with db.reading() as session:
            return stories.recent_stories(session, now or datetime.now(UTC), period, min_articles, limit)
    finally:
        db.dispose()
