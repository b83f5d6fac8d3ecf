"""The service behind ``newsmon why``: for one stored article and one watchlist, the whole decision
chain: terms and variants that matched where (or the closest miss), what the exclude hit, the story
decision, max_age and backlog, and per target what became of the alert."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from monitor.config import Settings, WatchlistConfig
from monitor.dedup.urls import canonical_url
from monitor.errors import NotFoundError
from monitor.match import compile_matcher
from monitor.match.trace import explain_leaves
from monitor.model import Document
from monitor.store import trail
from monitor.store.db import open_database


def _keys(ref: str) -> list[str]:
    keys = [ref, f"guid:{ref}"]
    if ref.lower().startswith(("http://", "https://")):
        keys.insert(0, "url:" + canonical_url(ref))
    return keys


def explain(settings: Settings, name: str, ref: str, now: datetime | None = None) -> dict[str, Any]:
    """The decision chain as one JSON-ready object (see the README's ``newsmon why``)."""
    watchlist = next((w for w in settings.watchlists if w.name == name), None)
    if watchlist is None:
        raise NotFoundError(f"no watchlist named {name!r} (newsmon check lists them)")
    db = open_database(settings.database_url)
    try:
        with db.reading() as session:
            article = trail.find_article(session, _keys(ref), ref)
            if article is None:
                raise NotFoundError(f"no stored article has the link or key {ref!r}")
            alerts = trail.alerts_of(session, article.id, name)
            story_rows = trail.followups_listing(session, article.story, article.id, name)
            held = trail.held_of(session, article.id, name)
    finally:
        db.dispose()
    doc = Document(title=article.title, summary=article.summary, body=article.body)
    excluded: list[str] = []
    matched = bool(compile_matcher([watchlist], settings.entities).match(doc, excluded))
    return {
        "watchlist": name,
        "article": {"id": article.id, "title": article.title, "link": article.link, "guid": article.guid,
                    "feed": article.feed, "published": _iso(article.published),
                    "first_seen": _iso(article.first_seen), "story": article.story},
        "matched": matched,
        "query": {"text": watchlist.query, "terms": explain_leaves(watchlist.query, doc, settings.entities)},
        "exclude": _exclude(watchlist, doc, settings, bool(excluded)),
        "story": _story(watchlist, article.story, alerts, story_rows),
        "age": _age(settings, article, now or datetime.now(UTC), held),
        "held_back": held,
        "targets": _targets(settings, watchlist, alerts, story_rows),
        "verdict": _verdict(matched, bool(excluded), alerts, story_rows, held),
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _exclude(watchlist: WatchlistConfig, doc: Document, settings: Settings, hit: bool) -> dict[str, Any] | None:
    if not watchlist.exclude:
        return None
    terms = explain_leaves(watchlist.exclude, doc, settings.entities, exclude=True)
    return {"text": watchlist.exclude, "hit": hit, "terms": terms}


def _story(watchlist: WatchlistConfig, story: int | None, alerts: list[dict[str, Any]],
           story_rows: list[dict[str, Any]]) -> dict[str, Any]:
    own = [a for a in alerts if a["kind"] == "article" or a["kind"].startswith("update-")]
    followups = [r for r in alerts + story_rows if r["kind"] == "followup"]
    first = [r for r in story_rows if r["kind"] == "article"]
    if own and any(a["kind"] == "article" for a in own):
        decision = "first alert of its story" if watchlist.per == "story" else "alerted (per: article)"
    elif any(a["kind"].startswith("update-") for a in own):
        decision = "update of an alerted article with a new term"
    elif followups:
        decision = "follow-up of an alerted story"
    elif first and watchlist.per == "story":
        decision = "follow-up of an alerted story (listed in the story only)"
    else:
        decision = "no alert"
    trending = [a for a in alerts + story_rows if a["kind"] == "trending"]
    return {"id": story, "per": watchlist.per, "decision": decision,
            "first_alerts": [{"article_id": r["article_id"], "target": r["target"], "state": r["state"]}
                             for r in first],
            "followup_rows": [{"id": r["id"], "target": r["target"], "state": r["state"]} for r in followups],
            "trending": [{"id": a["id"], "target": a["target"], "state": a["state"]} for a in trending]}


def _age(settings: Settings, article: trail.StoredArticle, now: datetime, held: list[dict[str, Any]]) -> dict[str, Any]:
    limit = settings.monitor.delivery.max_age
    when = article.published or article.first_seen
    reasons = {h["reason"] for h in held}
    backlog = next((f.backlog for f in settings.feeds if f.name == article.feed and f.backlog), None) \
        or settings.monitor.poll.backlog
    return {"max_age": limit or None, "age_at_first_seen": (article.first_seen - when).total_seconds(),
            "age_now": (now - when).total_seconds(), "held_for_age": "max_age" in reasons,
            "feed_backlog": backlog, "held_as_backlog": "backlog" in reasons}


def _targets(settings: Settings, watchlist: WatchlistConfig, alerts: list[dict[str, Any]],
             story_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for target in dict.fromkeys(settings.targets_of(watchlist) + [a["target"] for a in alerts]):
        rows = [a for a in alerts if a["target"] == target]
        rows += [r for r in story_rows if r["target"] == target and r["kind"] == "followup"
                 and r not in rows]
        out.append({"target": target, "outcome": [_outcome(row) for row in rows] or ["no alert for this target"],
                    "alerts": rows})
    return out


def _outcome(row: dict[str, Any]) -> str:
    message = row["message"]
    kind = f"{row['kind']} alert" if row["kind"] != "article" else "alert"
    if row["state"] == "sent" or (message and message["state"] == "sent"):
        via = {"digest": f"in digest {message['digest']!r}", "summary": "folded into a rate-limit summary",
               "quiet": "folded after quiet hours"}.get(message["kind"], "") if message else ""
        return f"{kind} sent {row['sent'] or (message or {}).get('sent')}" + (f" ({via})" if via else "")
    if row["state"] == "dead" or (message and message["state"] == "dead"):
        error = row["error"] or (message or {}).get("error")
        return f"{kind} dead after {max(row['attempts'], (message or {}).get('attempts', 0))} tries: {error}"
    if row["state"] == "held":
        why = {"quiet": "quiet hours", "rate": "the rate limit", "digest": "its digest"}.get(row["hold_reason"] or "")
        return f"{kind} held by {why or row['hold_reason']} until {row['next_attempt']}"
    if message is not None:
        return f"{kind} queued in a {message['kind']} message, {message['state']}"
    return f"{kind} {row['state']}, due {row['next_attempt']}"


def _verdict(matched: bool, excluded: bool, alerts: list[dict[str, Any]], story_rows: list[dict[str, Any]],
             held: list[dict[str, Any]]) -> str:
    reasons = [h["reason"] for h in held if h["reason"] not in ("quiet", "rate")]
    if excluded:
        return "the query matched, but the exclude hit: no alert"
    if not matched:
        return "the query does not match this article"
    labels = {"max_age": "older than delivery.max_age", "backlog": "part of the feed's backlog (backlog: skip)",
              "duplicate": "a copy or update without a new term", "story": "a later article of an alerted story"}
    held_for = ", ".join(labels.get(r, r) for r in dict.fromkeys(reasons))
    if any(a["kind"] == "article" or a["kind"].startswith("update-") for a in alerts):
        return "matched and alerted" + (f"; later held back: {held_for}" if held_for else "")
    if reasons:
        return f"matched, held back: {held_for}"
    if any(r["kind"] == "followup" for r in story_rows + alerts):
        return "matched, listed as a follow-up of its story"
    return "matched; no alert row (no target, or stored before this watchlist existed)"
