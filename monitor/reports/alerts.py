"""What ``newsmon alerts list`` shows and ``newsmon alerts retry`` does, over the outbox tables.

IDs are alert IDs; an admin message (feed health, no article) is shown as ``m<ID>``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor import redact
from monitor.config import Settings
from monitor.model import AlertState
from monitor.reports.database import database
from monitor.store import delivery
from monitor.store.db import Database


def outbox_rows(settings: Settings, *, dead_only: bool, limit: int, db: Database | None = None,
                ) -> list[dict[str, Any]]:
    with database(settings, db) as db, db.reading() as session:
        rows = [{"id": str(alert.id), "state": alert.state, "target": alert.target, "watchlist": alert.watchlist,
                 "title": title, "link": alert.payload.get("link"), "mode": alert.mode,
                 "hold_reason": alert.hold_reason, "message_kind": kind, "attempts": alert.attempts,
                 "created_at": _iso(alert.created_at), "next_attempt_at": _iso(alert.next_attempt_at)
                 if alert.state in (AlertState.PENDING, AlertState.HELD) else None, "sent_at": _iso(alert.sent_at),
                 "last_error": _masked(alert.last_error)}
                for alert, title, kind in delivery.list_alerts(session, dead_only=dead_only, limit=limit)]
        for message in delivery.list_admin(session, dead_only=dead_only, limit=limit):
            payload = message.payload or {}
            rows.append({"id": f"m{message.id}", "state": message.state, "target": message.target,
                         "watchlist": payload.get("watchlist"), "title": _admin_title(payload),
                         "link": payload.get("url"), "mode": "admin",
                         "hold_reason": None, "message_kind": "admin", "attempts": message.attempts,
                         "created_at": _iso(message.created_at), "next_attempt_at": None,
                         "sent_at": _iso(message.sent_at), "last_error": _masked(message.last_error)})
    rows.sort(key=lambda row: row["created_at"] or "", reverse=True)
    return rows[:limit]


def retry_dead(settings: Settings, alert_id: str | None, db: Database | None = None) -> int:
    """Reset one dead alert (``12``) or admin message (``m3``), or all dead ones (``None``)."""
    now = datetime.now(UTC)
    with database(settings, db) as db, db.session() as session:
        if alert_id is None:
            return delivery.retry_dead(session, now)
        if alert_id.startswith("m") and alert_id[1:].isdigit():
            return delivery.retry_dead(session, now, message_id=int(alert_id[1:]))
        if not alert_id.isdigit():
            return 0
        return delivery.retry_dead(session, now, alert_id=int(alert_id))


def _masked(error: str | None) -> str | None:
    """A delivery error may quote a target URL: shown as ``monitor.redact`` shows URLs."""
    return redact.text(error) if error else None


def _admin_title(payload: dict[str, Any]) -> str:
    if payload.get("problem") == "regex":
        return f"watchlist {payload.get('watchlist')}: {payload.get('pattern')} disabled (timeouts)"
    return f"feed {payload.get('feed')}: {payload.get('problem') or 'recovered'}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
