"""Read-side services behind the CLI: status, the feed list, stories, search and backtest, the offline
``match``, the outbox list and retrying dead alerts.

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.reports.alerts import outbox_rows, retry_dead
    from monitor.reports.feeds import feed_overview
    from monitor.reports.offline import match_sources
    from monitor.reports.queries import backtest, search
    from monitor.reports.status import collect
    from monitor.reports.stories import list_stories

__all__ = [
    "backtest",
    "collect",
    "feed_overview",
    "list_stories",
    "match_sources",
    "outbox_rows",
    "retry_dead",
    "search",
]
__getattr__ = exports(__name__, {
    "collect": "status",
    "feed_overview": "feeds",
    "list_stories": "stories",
    "backtest": "queries", "search": "queries",
    "match_sources": "offline",
    "outbox_rows": "alerts", "retry_dead": "alerts",
})
