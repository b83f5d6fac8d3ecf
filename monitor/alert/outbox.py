"""The transactional outbox: rows written with the article (``enqueue``), delivered by a separate job.

Each delivery run (``alert.send.deliver_due``) plans, then sends:

1. plan: due alert rows of each target become messages (one alert, a fold after quiet hours, a
   rate-limit summary, a digest) or wait (``held``) for quiet hours to end, a rate-limit slot, or
   their digest's time (``alert/plan.py``). Planning only writes rows.
2. send: messages are leased and sent one by one, each outcome committed right after its send:
   pending → sent, or retry with exponential backoff (``delivery.backoff`` doubling) → dead after
   ``delivery.max_attempts``. A message's alerts are fixed before its first try, so a crash between
   send and commit can resend at most that one message (``alert/send.py``).
3. admin: feeds that fail or fall silent are reported to the admin target (``alert/admin.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.alert import storyalerts as story_alerts
from monitor.config import Settings
from monitor.match import snippet
from monitor.model import AlertPayload, AlertRow, AlertState, Match, hits_json
from monitor.store import Session, repo
from monitor.store.repo import StoredArticle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Matched:
    """A newly stored article and the watchlists it matches (``previous``: what its last version matched)."""

    article: StoredArticle
    matches: Sequence[Match]
    previous: Sequence[Match] = ()


def alert_rows(article: StoredArticle, source: str, matches: Iterable[Match], settings: Settings,
               now: datetime) -> list[AlertRow]:
    """One outbox row per (watchlist, target) for a new article's matches."""
    by_name = {w.name: w for w in settings.watchlists}
    rows: list[AlertRow] = []
    document = article.document
    for match in matches:
        watchlist = by_name.get(match.watchlist)
        if watchlist is None:
            continue
        excerpt, spans = snippet(document, match)
        payload: AlertPayload = {
            "watchlist": match.watchlist,
            "title": article.entry.title,
            "link": article.entry.link,
            "source": source,
            "published": article.entry.published.isoformat() if article.entry.published else None,
            "score": match.score,
            "terms": match.terms,
            "hits": hits_json(match.hits),
            "snippet": excerpt,
            "snippet_spans": [list(span) for span in spans],
        }
        mode, targets = watchlist.mode, settings.targets_of(watchlist)
        digest = settings.monitor.digests.get(mode.removeprefix("digest:")) if mode.startswith("digest:") else None
        if digest is not None and digest.targets:
            targets = list(digest.targets)
        for target in dict.fromkeys(targets):  # the planner holds digest rows until their digest's time
            rows.append({"article_id": article.id, "watchlist": match.watchlist, "target": target,
                         "state": AlertState.PENDING, "mode": mode, "attempts": 0, "next_attempt_at": now,
                         "payload": payload, "created_at": now})
    return rows


def enqueue(session: Session, matched: Iterable[Matched], source: str, settings: Settings, now: datetime) -> int:
    """Write the outbox rows of newly stored articles' matches into the open transaction."""
    count = 0
    for item in matched:
        rows = alert_rows(item.article, source, item.matches, settings, now)
        count += repo.add_alerts(session, story_alerts.decide(session, item.article, item.matches, item.previous,
                                                              rows, settings, now))
    return count
