"""Per-story alerting, updates and trending: the decision taken before outbox rows are written.

For every (article, watchlist, target) row the matcher produced:

- a revision (an update of a known article, or a lightly edited copy) alerts again only when a
  watchlist term appears that no earlier version had; that row is kind ``update-N`` and its title
  says "aktualisiert". Without a new term it is dropped.
- ``per: story``: the first matching article of a story alerts (kind ``article``); every later one
  becomes a follow-up. Follow-ups of one story, watchlist and target collect in one pending row of
  kind ``followup`` that is sent ``followups`` after the first of them ("Story „…“: 3 weitere
  Artikel"); a row already leased or sent is never changed, the next follow-up starts a new one.
- ``trending: {outlets: N, within: T}``: once per story and watchlist, when a story that matched
  reaches N outlets within T, one row of kind ``trending`` ("Tomahawk: 5 Medien in 60 Minuten").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from monitor.config import Settings, WatchlistConfig
from monitor.match import snippet
from monitor.model import AlertKind, AlertPayload, AlertRow, AlertState, HoldReason, Match, update_kind
from monitor.store import Session, followups
from monitor.store import storyrows as stories
from monitor.store.repo import StoredArticle

FOLLOWUP = AlertKind.FOLLOWUP
TRENDING = AlertKind.TRENDING
_NOT_FIRST = (FOLLOWUP, TRENDING)


def decide(session: Session, article: StoredArticle, matches: Sequence[Match], previous: Sequence[Match],
           rows: list[AlertRow], settings: Settings, now: datetime) -> list[AlertRow]:
    """The outbox rows to write for this article; follow-ups are folded into their story's row."""
    by_name = {w.name: w for w in settings.watchlists}
    match_of = {m.watchlist: m for m in matches}
    previous_of = {m.watchlist: m for m in previous}
    out: list[AlertRow] = []
    for row in rows:
        watchlist = by_name[row["watchlist"]]
        row = {**row, "payload": row["payload"].copy(), "kind": AlertKind.ARTICLE}  # only its top-level keys change
        row["payload"].update({"kind": AlertKind.ARTICLE, "story": article.story_id})
        if article.previous is not None and (watchlist.name in previous_of
                                             or stories.article_alerts(session, article.id, watchlist.name)):
            # the earlier version matched (alerted, or folded into a follow-up): only a new term counts
            update = _update(session, article, row, match_of[watchlist.name], previous_of.get(watchlist.name))
            if update is not None:
                out.append(update)
            continue
        if watchlist.per == "story" and article.story_id is not None and \
                stories.story_alerts(session, article.story_id, watchlist.name, _NOT_FIRST, row["target"]):
            _follow_up(session, article, row, watchlist, now)
            continue
        out.append(row)
    return out + _trending(session, article, match_of, by_name, settings, now)


def _terms(match: Match | None) -> set[str]:
    return {hit.term for hit in match.hits} if match else set()


def _update(session: Session, article: StoredArticle, row: AlertRow, match: Match,
            previous: Match | None) -> AlertRow | None:
    known = _terms(previous)
    for alert in stories.article_alerts(session, article.id, row["watchlist"]):
        known |= {hit.get("term") for hit in alert.payload.get("hits", [])}
    new = sorted(_terms(match) - known)
    if not new:
        return None
    payload = row["payload"]
    fresh = Match(match.watchlist, match.score, tuple(hit for hit in match.hits if hit.term in new))
    excerpt, spans = snippet(article.document, fresh)  # show where the new term is
    payload.update({"kind": "update", "revision": article.revision, "new_terms": new,
                    "title": f"aktualisiert: {payload['title']}", "snippet": excerpt,
                    "snippet_spans": [list(span) for span in spans]})
    return {**row, "kind": update_kind(article.revision)}


def _follow_up(session: Session, article: StoredArticle, row: AlertRow, watchlist: WatchlistConfig,
               now: datetime) -> None:
    """Fold the article into the story's pending follow-up row, or start one."""
    if watchlist.followups <= 0 or article.story_id is None:
        return  # kept in the story (``newsmon stories``), no message
    payload = row["payload"]
    item = {"article_id": article.id, "title": article.entry.title, "link": article.entry.link,
            "source": payload.get("source"), "published": payload.get("published"), "terms": payload.get("terms")}
    pending = followups.open_followup(session, article.story_id, watchlist.name, row["target"], FOLLOWUP)
    if pending is not None:
        items = [*pending.payload.get("followups", []), item]
        pending.payload = dict(_followup_payload(session, article.story_id, payload, items))
        return
    due = row["next_attempt_at"] if row.get("hold_reason") == HoldReason.DIGEST else \
        now + timedelta(seconds=watchlist.followups)  # a digest watchlist: into the next digest
    followups.add_alert(session, {**row, "kind": FOLLOWUP, "next_attempt_at": due,
                                  "payload": _followup_payload(session, article.story_id, payload, [item])})


def _followup_payload(session: Session, story_id: int, base: AlertPayload, items: list[dict[str, Any]],
                      ) -> AlertPayload:
    title = followups.story_title(session, story_id)
    terms: dict[str, None] = {}
    for item in items:
        terms.update(dict.fromkeys(item.get("terms") or []))
    count = len(items)
    return {
        **base, "kind": FOLLOWUP, "story": story_id, "story_title": title,
        "title": f"Story „{title}“: {count} weitere{'r' if count == 1 else ''} Artikel",
        "link": items[0]["link"], "source": ", ".join(dict.fromkeys(str(i.get("source")) for i in items)),
        "terms": list(terms), "hits": [], "followups": items, "snippet_spans": [],
        "snippet": " · ".join(f"{i['title']} ({i.get('source')})" for i in items),
    }


def _trending(session: Session, article: StoredArticle, match_of: dict[str, Match],
              by_name: dict[str, WatchlistConfig], settings: Settings, now: datetime) -> list[AlertRow]:
    if article.story_id is None:
        return []
    rows: list[AlertRow] = []
    for watchlist in by_name.values():
        rule = watchlist.trending
        if rule is None:
            continue
        earlier = stories.story_alerts(session, article.story_id, watchlist.name, exclude=())
        if any(alert.kind == TRENDING for alert in earlier):
            continue
        match = match_of.get(watchlist.name)
        if match is None and not earlier:
            continue  # the story has not matched this watchlist
        count = stories.outlets_within(session, article.story_id, now - timedelta(seconds=rule.within))
        if count < rule.outlets:
            continue
        term = list(dict.fromkeys(
            [hit.term for hit in match.hits] if match else
            [hit["term"] for a in earlier for hit in a.payload.get("hits", []) if hit.get("term")])) or [watchlist.name]
        title = followups.story_title(session, article.story_id)
        minutes = round(rule.within / 60)
        payload: AlertPayload = {
                   "watchlist": watchlist.name, "kind": TRENDING, "story": article.story_id, "story_title": title,
                   "title": f"{term[0]}: {count} Medien in {minutes} Minuten", "link": article.entry.link,
                   "source": ", ".join(stories.outlets_of(session, article.story_id)), "published": None,
                   "score": 0.0, "terms": term[:5], "hits": [], "snippet": title, "snippet_spans": [], "outlets": count}
        for target in dict.fromkeys(settings.targets_of(watchlist)):  # trending is news: never into a digest
            rows.append({"article_id": article.id, "watchlist": watchlist.name, "target": target, "kind": TRENDING,
                         "state": AlertState.PENDING, "mode": "instant", "attempts": 0, "next_attempt_at": now,
                         "payload": payload, "created_at": now})
    return rows
