"""``newsmon status`` for people: a rich table of the feeds, then the outbox and maintenance.

Times are shown relative to now ("3m ago", "in 2m"); a feed that failed its last poll is red with
its error and how many polls in a row failed; a disabled feed (HTTP 410) is dim.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.units import format_duration


def relative(value: str | None, now: datetime) -> str:
    """``3m ago`` / ``in 2m`` / ``now`` for an ISO time; ``-`` for none."""
    if not value:
        return "-"
    seconds = (datetime.fromisoformat(value) - now).total_seconds()
    if abs(seconds) < 1:
        return "now"
    span = _rounded(abs(seconds))
    return f"in {span}" if seconds > 0 else f"{span} ago"


def _rounded(seconds: float) -> str:
    for unit in (86400, 3600, 60):
        if seconds >= unit:
            return format_duration(seconds // unit * unit)
    return f"{int(seconds)}s"


def show(report: dict[str, Any], now: datetime | None = None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    now = now or datetime.now(UTC)
    outbox = report["outbox"]
    table = Table(title=f"{report['articles']} articles · {report.get('stories', 0)} stories · "
                        f"{len(report['feeds'])} feeds")
    for column in ("feed", "articles", "last ok", "next poll", "last error"):
        table.add_column(column, justify="right" if column == "articles" else "left")
    for feed in report["feeds"]:
        error = ""
        if feed["last_error"] and feed["failures"]:
            since = relative(feed["last_error_at"], now)
            error = f"[red]{escape(feed['last_error'])}[/] ({feed['failures']}× in a row, {since})"
        name = escape(feed["name"]) + ("" if feed["configured"] else " (not in config)")
        style = "dim" if feed["disabled"] or not feed["configured"] else None
        next_poll = "disabled" if feed["disabled"] else relative(feed["next_poll"], now)
        table.add_row(name, str(feed["articles"]), relative(feed["last_ok"], now), next_poll, error, style=style)
    console = Console()
    console.print(table)
    dead = f"[red]{outbox['dead']} dead[/] (see newsmon alerts)" if outbox["dead"] else "0 dead"
    console.print(f"outbox: {outbox['pending']} pending, {outbox['sent']} sent, {dead}")
    held = {reason: n for reason, n in report.get("held_back", {}).items() if n}
    if held:
        console.print("held back: " + ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in held.items())
                      + " (see newsmon watchlists)")
    for task, run in sorted(report.get("maintenance", {}).items()):
        console.print(f"{task}: {relative(run['last_run'], now)}" + (f" ({run['detail']})" if run["detail"] else ""))
