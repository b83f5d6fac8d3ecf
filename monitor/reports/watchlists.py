"""The service behind ``newsmon watchlists``: per watchlist and day, what matched, what was sent and
what was held back and why (duplicate, same story, exclude, max age, backlog, rate limit, quiet
hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.config import Settings
from monitor.store import heldback
from monitor.store.db import open_database

COUNTS = ("articles", "stories", "alerts_sent")


def figures(settings: Settings, period: timedelta, now: datetime | None = None) -> dict[str, Any]:
    """``{"since", "watchlists": [{"name", "total": {...}, "days": [{"day", ...}]}]}``: each count
    per UTC day, newest day first; a watchlist no longer configured still shows its past days."""
    since = (now or datetime.now(UTC)) - period
    db = open_database(settings.database_url)
    try:
        with db.reading() as session:
            cells = heldback.per_day(session, since)
    finally:
        db.dispose()
    names = list(dict.fromkeys([w.name for w in settings.watchlists] + sorted({w for w, _ in cells})))
    out = []
    for name in names:
        days = sorted(((day, cell) for (watchlist, day), cell in cells.items() if watchlist == name), reverse=True)
        rows = [{"day": day, **_shaped(cell)} for day, cell in days]
        total = {key: sum(row[key] for row in rows) for key in COUNTS}
        total["held_back"] = {reason: sum(row["held_back"][reason] for row in rows) for reason in heldback.REASONS}
        out.append({"name": name, "configured": name in {w.name for w in settings.watchlists},
                    "total": total, "days": rows})
    return {"since": since.isoformat(), "watchlists": out}


def _shaped(cell: dict[str, int]) -> dict[str, Any]:
    return {**{key: cell[key] for key in COUNTS}, "held_back": {reason: cell[reason] for reason in heldback.REASONS}}
