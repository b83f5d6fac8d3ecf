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
from monitor.model import AlertKind, AlertPayload, AlertRow, AlertState, HeldReason, Match, hits_json
from monitor.store import Session, heldback, repo
from monitor.store.repo import StoredArticle

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Matched:
    """A newly stored article and the watchlists it matches (``previous``: what its last version
    matched); ``held``: (watchlist, reason) of the matches that were decided not to alert before the
    outbox (exclude, duplicate, max_age, backlog)."""

    article: StoredArticle
    matches: Sequence[Match]
    previous: Sequence[Match] = ()
    held: Sequence[tuple[str, HeldReason]] = ()


def too_old(article: StoredArticle, settings: Settings, now: datetime) -> bool:
    """Published longer ago than ``delivery.max_age`` (an article without a date is first seen now)."""
    limit = settings.monitor.delivery.max_age
    published = article.entry.published
    return limit is not None and limit > 0 and published is not None and (now - published).total_seconds() > limit


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
        article = item.article
        rows = alert_rows(article, source, item.matches, settings, now)
        decided = story_alerts.decide(session, article, item.matches, item.previous, rows, settings, now)
        held = [_held(article, watchlist, reason, now) for watchlist, reason in item.held]
        alerted = {row["watchlist"] for row in decided if row.get("kind") != AlertKind.TRENDING}
        for watchlist in dict.fromkeys(row["watchlist"] for row in rows):
            if watchlist not in alerted:  # an update without a new term, or a later article of its story
                reason = HeldReason.DUPLICATE if article.previous is not None else HeldReason.STORY
                held.append(_held(article, watchlist, reason, now, story=article.story_id))
        heldback.add(session, held)
        count += repo.add_alerts(session, decided)
    return count


def _held(article: StoredArticle, watchlist: str, reason: HeldReason, now: datetime,
          **detail: object) -> dict[str, object]:
    if article.entry.published is not None:
        detail["published"] = article.entry.published.isoformat()
    return {"article_id": article.id, "watchlist": watchlist, "reason": reason, "at": now, "detail": detail or None}
