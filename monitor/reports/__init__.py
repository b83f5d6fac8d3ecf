"""Read-side services behind the CLI and the web view: status, the feed list, stories, search and
backtest, the offline ``match``, the outbox list and retrying dead alerts; the web view's overview,
per-watchlist figures and watchlist-file preview.

The names below are the package's face; they are imported on first use, so importing one module
of the package does not load the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monitor import exports

if TYPE_CHECKING:
    from monitor.reports.alerts import outbox_rows, retry_dead
    from monitor.reports.feeds import feed_overview
    from monitor.reports.frontpage import overview
    from monitor.reports.matchfigures import MatchLog, match_figures
    from monitor.reports.offline import match_sources
    from monitor.reports.queries import backtest, search, search_summary
    from monitor.reports.status import collect
    from monitor.reports.stories import list_stories, story_detail

__all__ = [
    "MatchLog",
    "backtest",
    "collect",
    "feed_overview",
    "list_stories",
    "match_figures",
    "match_sources",
    "outbox_rows",
    "overview",
    "retry_dead",
    "search",
    "search_summary",
    "story_detail",
]
__getattr__ = exports(__name__, {
    "collect": "status",
    "feed_overview": "feeds",
    "list_stories": "stories", "story_detail": "stories",
    "backtest": "queries", "search": "queries", "search_summary": "queries",
    "overview": "frontpage",
    "match_figures": "matchfigures", "MatchLog": "matchfigures",
    "match_sources": "offline",
    "outbox_rows": "alerts", "retry_dead": "alerts",
})
